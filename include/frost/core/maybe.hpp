// frost/core/maybe.hpp: storage that exists only when the freeze plan says it is needed.
//
//   Maybe<Cond, V, Tag>  is V when Cond holds, else Absent<Tag>: an empty placeholder that
//                        [[no_unique_address]] folds into zero bytes (gradient buffers of frozen
//                        parameters, activation caches nothing reads).
#pragma once

#include <type_traits>

namespace frost {

namespace detail {
template <class...>
inline constexpr bool always_false_v = false;
}  // namespace detail

/// An empty placeholder. `Tag` keeps two placeholders in one class distinct, so that
/// `[[no_unique_address]]` can fold all of them into zero bytes. Using it as a tensor stops at a
/// static_assert that says why: the tensor does not exist under this freeze policy.
template <int Tag>
struct Absent {
#define FROST_ABSENT_MEMBER(name)                                                                               \
  template <class... A>                                                                                         \
  int name(A&&...) const {                                                                                      \
    static_assert(detail::always_false_v<A...>,                                                                 \
                  "frost: this parameter is frozen, so it has no gradient (zero bytes, by design). Visit "      \
                  "trainable parameters with model.for_each_trainable(), test is_trainable_v<decltype(p)>, or " \
                  "leave the parameter out of the freeze policy.");                                             \
    return 0;                                                                                                   \
  }
  FROST_ABSENT_MEMBER(rows)
  FROST_ABSENT_MEMBER(cols)
  FROST_ABSENT_MEMBER(size)
  FROST_ABSENT_MEMBER(data)
  FROST_ABSENT_MEMBER(setZero)
  FROST_ABSENT_MEMBER(norm)
  FROST_ABSENT_MEMBER(squaredNorm)
#undef FROST_ABSENT_MEMBER
};

/// `Maybe<Cond, V, Tag>` is V when Cond holds and an empty type otherwise: storage that exists
/// only when the freeze plan says it is needed (gradient buffers, activation caches).
template <bool Cond, class V, int Tag = 0>
using Maybe = std::conditional_t<Cond, V, Absent<Tag>>;

}  // namespace frost
