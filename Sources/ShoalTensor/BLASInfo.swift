import CBLAS

/// The BLAS library's own description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64",
/// recorded in checkpoints: results are bit-for-bit only on the same BLAS and CPU kind.
public var blasConfiguration: String {
    guard let text = openblas_get_config() else { return "unknown" }
    return String(cString: text)
}

/// The number of threads each BLAS call uses in this process (`OPENBLAS_NUM_THREADS` at start).
public var blasThreadCount: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(newValue)) }
}
