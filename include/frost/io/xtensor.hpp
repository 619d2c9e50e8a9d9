// frost/io/xtensor.hpp: xtensor at the I/O edges (fixtures, batches as N-d arrays).
//
//   read_xarray(file, name)  a safetensors tensor as xt::xarray<float> with its shape
//   to_xarray(tensor)        a frost Tensor<T> [rows, cols] as a 2-d xt::xarray<T> (copy)
//   from_xarray(array)       a 1-d or 2-d xt::xarray<T> as a Tensor<T> (1-d -> [1, n])
// The core stays on Eigen; xtensor appears only here.
#pragma once

#include <string>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "safetensors.hpp"

namespace frost::io {

inline xt::xarray<float> read_xarray(const SafeTensorsFile& file, const std::string& name) {
  const TensorInfo& info = file.info(name);
  std::vector<std::size_t> shape(info.shape.begin(), info.shape.end());
  auto values = file.floats(name);
  xt::xarray<float> out = xt::adapt(values, shape);
  return out;
}

template <class T>
xt::xarray<T> to_xarray(const Tensor<T>& t) {
  xt::xarray<T> out = xt::zeros<T>({static_cast<std::size_t>(t.rows()), static_cast<std::size_t>(t.cols())});
  std::copy(t.data(), t.data() + numel(t), out.begin());
  return out;
}

template <class T>
Tensor<T> from_xarray(const xt::xarray<T>& a, const std::string& what = "array") {
  FROST_CHECK(a.dimension() == 1 || a.dimension() == 2,
              what + ": expected a 1-d or 2-d array, got " + std::to_string(a.dimension()) + " dimensions");
  const auto rows = a.dimension() == 2 ? static_cast<Eigen::Index>(a.shape()[0]) : 1;
  const auto cols = static_cast<Eigen::Index>(a.shape()[a.dimension() - 1]);
  Tensor<T> t(rows, cols);
  std::copy(a.begin(), a.end(), t.data());
  return t;
}

}  // namespace frost::io
