//! Stdout after the ready line.

use std::os::fd::AsRawFd;

/// Points the process's stdout at /dev/null. After the ready line nothing
/// of the node's own goes there; should anything print, a caller that
/// stopped reading the pipe must not block it (a full pipe) or make it
/// panic (a closed one).
pub fn silence_stdout() {
    let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
        log::warn!("cannot open /dev/null; stdout stays as it is");
        return;
    };
    // SAFETY: dup2 on two open descriptors; fd 1 is replaced atomically.
    if unsafe { libc::dup2(null.as_raw_fd(), libc::STDOUT_FILENO) } < 0 {
        log::warn!("cannot redirect stdout: {}", std::io::Error::last_os_error());
    }
}
