# Serial HDF5 (C and high-level libraries), linked explicitly.
# Never a bare `pkg-config hdf5`: on Debian it points at the MPI flavour as
# soon as libhdf5-openmpi-dev is installed, and that flavour is not
# thread-safe.  Defines the imported target mlplab::hdf5.
#
# Statically when the static libraries are there (Debian's libhdf5-dev
# ships them) and a test program links with them: Debian's shared
# libhdf5 pulls in 36 more libraries (curl, TLS, Kerberos, LDAP ... for
# its S3 driver, which mlplab never uses), and loading them took 17-18 ms
# of every runner start on the 2-core VM of bench/README.md ("Fixed
# cost"), 10% of the tutorial sweep.  The static archive brings only the
# objects mlplab calls, which need zlib and szip.  -DMLPLAB_HDF5_STATIC=OFF
# links the shared libraries.
pkg_check_modules(HDF5_SERIAL REQUIRED hdf5-serial)
find_library(MLPLAB_HDF5_LIB NAMES hdf5 PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
find_library(MLPLAB_HDF5_HL_LIB NAMES hdf5_hl PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
add_library(mlplab::hdf5 INTERFACE IMPORTED)
target_include_directories(mlplab::hdf5 INTERFACE ${HDF5_SERIAL_INCLUDE_DIRS})

option(MLPLAB_HDF5_STATIC "Link HDF5 statically when its static libraries link" ON)
set(_mlplab_hdf5_static OFF)
if(MLPLAB_HDF5_STATIC)
  find_library(MLPLAB_HDF5_A NAMES libhdf5.a PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH)
  find_library(MLPLAB_HDF5_HL_A NAMES libhdf5_hl.a PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH)
  find_library(MLPLAB_Z_LIB NAMES z)
  find_library(MLPLAB_SZ_LIB NAMES sz)
  if(MLPLAB_HDF5_A AND MLPLAB_HDF5_HL_A AND MLPLAB_Z_LIB)
    set(_mlplab_hdf5_deps ${MLPLAB_Z_LIB} m ${CMAKE_DL_LIBS} Threads::Threads)
    if(MLPLAB_SZ_LIB)
      list(APPEND _mlplab_hdf5_deps ${MLPLAB_SZ_LIB})
    endif()
    include(CheckCSourceCompiles)
    find_package(Threads REQUIRED)
    set(CMAKE_REQUIRED_INCLUDES ${HDF5_SERIAL_INCLUDE_DIRS})
    set(CMAKE_REQUIRED_LIBRARIES ${MLPLAB_HDF5_HL_A} ${MLPLAB_HDF5_A} ${_mlplab_hdf5_deps})
    check_c_source_compiles("
      #include <hdf5.h>
      #include <hdf5_hl.h>
      int main(void) {
          hid_t f = H5Fcreate(\"x.h5\", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
          H5DSset_scale(f, \"x\");
          return H5Fclose(f) < 0;
      }" MLPLAB_HDF5_STATIC_LINKS)
    unset(CMAKE_REQUIRED_INCLUDES)
    unset(CMAKE_REQUIRED_LIBRARIES)
    if(MLPLAB_HDF5_STATIC_LINKS)
      set(_mlplab_hdf5_static ON)
    endif()
  endif()
endif()

if(_mlplab_hdf5_static)
  target_link_libraries(mlplab::hdf5 INTERFACE ${MLPLAB_HDF5_HL_A} ${MLPLAB_HDF5_A}
                        ${_mlplab_hdf5_deps})
  message(STATUS "mlplab: serial HDF5 ${HDF5_SERIAL_VERSION}, static: ${MLPLAB_HDF5_A}")
else()
  target_link_libraries(mlplab::hdf5 INTERFACE ${MLPLAB_HDF5_HL_LIB} ${MLPLAB_HDF5_LIB})
  message(STATUS "mlplab: serial HDF5 ${HDF5_SERIAL_VERSION}: ${MLPLAB_HDF5_LIB}")
endif()
