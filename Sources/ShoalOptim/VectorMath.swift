// Four-lane Float helpers for the hot loops that the auto-vectoriser cannot produce by itself.
//
// `Float.squareRoot()` reaches LLVM as a call to C's `sqrtf`, which may set errno, so a loop
// containing it is never vectorised (the Adam loop ran at 12% of memory bandwidth). On x86_64
// the SSE instruction `sqrtps` is called directly; elsewhere the lanes are taken one by one.

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Lane-wise √x (IEEE-exact, like `Float.squareRoot()`).
@inline(__always)
func squareRoot(_ x: SIMD4<Float>) -> SIMD4<Float> {
    #if arch(x86_64)
    return _mm_sqrt_ps(x)
    #else
    return SIMD4(x[0].squareRoot(), x[1].squareRoot(), x[2].squareRoot(), x[3].squareRoot())
    #endif
}

/// Lane-wise sign(x) with sign(0) = 0 (and sign(NaN) = 0), as ``signum(_:)``.
@inline(__always)
func signum(_ x: SIMD4<Float>) -> SIMD4<Float> {
    SIMD4<Float>(repeating: 0)
        .replacing(with: 1, where: x .> 0)
        .replacing(with: -1, where: x .< 0)
}

/// Four Floats from `pointer[i ..< i+4]` (no alignment needed).
@inline(__always)
func load4(_ pointer: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> {
    UnsafeRawPointer(pointer + i).loadUnaligned(as: SIMD4<Float>.self)
}

/// Stores `value` to `pointer[i ..< i+4]` (no alignment needed).
@inline(__always)
func store4(_ value: SIMD4<Float>, _ pointer: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(pointer + i).storeBytes(of: value, as: SIMD4<Float>.self)
}
