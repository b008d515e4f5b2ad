//! What this test process holds in memory.

/// Resident memory of this process in KiB (Linux's `/proc/self/statm`).
pub fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("resident pages in /proc/self/statm");
    // SAFETY: sysconf only reads a system constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page / 1024
}

/// [`rss_kib`] after the C library has returned its free memory to the system, so that
/// what is freed but kept in the allocator's arenas (which depends on how threads
/// happened to interleave) does not count as held.
pub fn settled_rss_kib() -> u64 {
    // SAFETY: glibc's malloc_trim only releases free memory.
    unsafe { libc::malloc_trim(0) };
    rss_kib()
}
