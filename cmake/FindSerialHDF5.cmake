# Serial HDF5 (C and high-level libraries), linked explicitly.
# Never a bare `pkg-config hdf5`: on Debian it points at the MPI flavour as
# soon as libhdf5-openmpi-dev is installed, and that flavour is not
# thread-safe.  Defines the imported target mlplab::hdf5.
pkg_check_modules(HDF5_SERIAL REQUIRED hdf5-serial)
find_library(MLPLAB_HDF5_LIB NAMES hdf5 PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
find_library(MLPLAB_HDF5_HL_LIB NAMES hdf5_hl PATHS ${HDF5_SERIAL_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
add_library(mlplab::hdf5 INTERFACE IMPORTED)
target_include_directories(mlplab::hdf5 INTERFACE ${HDF5_SERIAL_INCLUDE_DIRS})
target_link_libraries(mlplab::hdf5 INTERFACE ${MLPLAB_HDF5_HL_LIB} ${MLPLAB_HDF5_LIB})
message(STATUS "mlplab: serial HDF5 ${HDF5_SERIAL_VERSION}: ${MLPLAB_HDF5_LIB}")
