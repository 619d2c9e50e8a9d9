# frost_find_openblas(INCLUDE_VAR LIBRARY_VAR): cblas.h and libopenblas, preferring Debian's
# OpenMP build (libopenblas-openmp-dev: its threads are frost's OpenMP threads, one pool, no
# fight). Both are cache variables (set them to use another OpenBLAS); NOTFOUND when absent.
# Used by the FROST_BLAS backend (CMakeLists.txt) and by the OpenBLAS check of the backend test
# in builds with another backend (tests/CMakeLists.txt).
function(frost_find_openblas include_var library_var)
  find_path(${include_var} cblas.h HINTS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
                                         /usr/include/openblas)
  find_library(${library_var} NAMES openblas HINTS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
endfunction()
