#if arch(x86_64)
// The toolchain's own clang module of the processor's intrinsics (its headers, imported).
import _Builtin_intrinsics.intel

/// Sixteen bytes looked at in one step, with SSE2, which every x86-64 processor has (so the
/// packaged binary needs nothing more); elsewhere the callers' eight-byte steps do it all.
enum ByteScan {
    /// One bit per byte of the sixteen at `at`, the first byte lowest, for each byte that stops
    /// a string's fast scan (`RowScan.stops`): a quote, a backslash, a control character, DEL
    /// or a byte that is not ASCII.
    @inline(__always)
    static func stringStops(_ at: UnsafePointer<UInt8>) -> UInt32 {
        let bytes = UnsafeRawPointer(at).loadUnaligned(as: __m128i.self)
        // Compared as signed bytes, those past 0x7F are below zero: below 0x20 takes them too.
        let controlOrHigh = _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20))
        let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x22))
        let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x5C))
        let delete = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7F))
        let stops = _mm_or_si128(_mm_or_si128(controlOrHigh, quote), _mm_or_si128(backslash, delete))
        return UInt32(truncatingIfNeeded: _mm_movemask_epi8(stops))
    }
}
#endif
