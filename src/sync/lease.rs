//! Who syncs a mirror file shared by several pik-tuis: the holder of its
//! lease, named by host and process, so that a lease whose process is gone
//! (killed, or a laptop that slept through its end) is taken at once.

/// This process's name for the lease: "pik-tui HOST PID UNIQUE".
pub fn holder() -> String {
    let host = gethostname::gethostname().to_string_lossy().replace(' ', "_");
    format!("pik-tui {host} {} {}", std::process::id(), uuid::Uuid::new_v4())
}

/// Whether the process named in `holder` is gone: it ran on this host, and
/// no process has its id. A holder of another host (a file on a network
/// share), or of another form, is never taken for gone: its lease runs out.
pub fn gone(holder: &str) -> bool {
    let here = gethostname::gethostname().to_string_lossy().replace(' ', "_");
    matches!(host_and_pid(holder), Some((host, pid)) if host == here && !running(pid))
}

/// The host and process a holder names, if it is of this form.
pub fn host_and_pid(holder: &str) -> Option<(&str, u32)> {
    let mut parts = holder.split(' ');
    let (Some("pik-tui"), Some(host), Some(pid)) = (parts.next(), parts.next(), parts.next()) else { return None };
    Some((host, pid.parse().ok()?))
}

#[cfg(unix)]
fn running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    alive || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_whose_process_is_gone_is_gone() {
        let mine = holder();
        assert!(!gone(&mine), "this process runs");
        let host = gethostname::gethostname().to_string_lossy().replace(' ', "_");
        let pid = crate::test_support::exited_pid();
        assert!(gone(&format!("pik-tui {host} {pid} x")), "an exited process");
        assert!(!gone(&format!("pik-tui another-host {pid} x")), "another host's: its lease runs out");
        assert!(!gone("pik-tui 1234 old-format"), "a holder of another form");
    }
}
