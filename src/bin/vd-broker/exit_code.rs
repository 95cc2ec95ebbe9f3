//! Exit codes: the C ABI's status values, so a shell script sees the same
//! codes a C program does, plus two from sysexits.h for what only a command
//! has (bad usage, a broken stdout).

use vd_broker::ErrorKind;

/// Bad command line (clap's default, 2, would read as VD_BROKER_ERR_INVALID_UTF8).
pub const EX_USAGE: u8 = 64;
/// The token could not be written to stdout.
pub const EX_IOERR: u8 = 74;

/// The exit code of a failure of `kind`: its `VD_BROKER_ERR_*` value.
pub fn of(kind: ErrorKind) -> u8 {
    kind.code() as u8
}

/// The `VD_BROKER_ERR_*` name of a failure of `kind`.
pub fn status_name(kind: ErrorKind) -> &'static str {
    kind.name()
}

/// The exit status table of `--help`.
pub const EXIT_STATUS_HELP: &str = "\
Exit status (the C ABI's vd_broker_status values):
   0  OK
   1  VD_BROKER_ERR_INVALID_ARGUMENT       no scope, or a zero timeout
   2  VD_BROKER_ERR_INVALID_UTF8           the scope is not UTF-8
   4  VD_BROKER_ERR_CONFIGURATION          broker URL or credential file missing, or a setting invalid
   5  VD_BROKER_ERR_SCOPE_NOT_ALLOWED      the scope maps to no broker audience (see `vd-broker audiences`)
   6  VD_BROKER_ERR_CREDENTIAL_UNREADABLE  the bearer file cannot be read
   7  VD_BROKER_ERR_CREDENTIAL_BLANK       the bearer file is empty
   8  VD_BROKER_ERR_BROKER_UNREACHABLE     the broker (or runtime-access helper) cannot be reached
   9  VD_BROKER_ERR_BROKER_REJECTED        the broker answered 401/403: the intent bearer is expired or revoked
  10  VD_BROKER_ERR_BROKER_STATUS          the broker answered another error status
  11  VD_BROKER_ERR_BROKER_RESPONSE        the broker's answer is not a usable token
  12  VD_BROKER_ERR_TIMEOUT                no answer within the timeout
  13  VD_BROKER_ERR_ACCESS_HELPER_REFUSED  the runtime-access helper refused
  14  VD_BROKER_ERR_PANIC                  an internal error (please report it)
  64  usage error (EX_USAGE): unknown option, missing scope, malformed value
  74  the output could not be written (EX_IOERR)
Status 3 (VD_BROKER_ERR_BUFFER_TOO_SMALL) cannot happen here. Errors go to
stderr as `vd-broker: VD_BROKER_ERR_NAME: message`; nothing ever prints the bearer.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_status_with_its_code() {
        for code in 0..=14 {
            // SAFETY: the export returns a static NUL-terminated string.
            let name = unsafe { std::ffi::CStr::from_ptr(vd_broker::ffi::status::vd_broker_status_name(code)) };
            let name = name.to_str().unwrap();
            if code == 3 {
                assert!(EXIT_STATUS_HELP.contains(&format!("Status 3 ({name})")));
                continue;
            }
            let row = format!("{code:>4}  {}", if code == 0 { "OK" } else { name });
            assert!(EXIT_STATUS_HELP.contains(&row), "missing row {row:?}");
        }
    }

    #[test]
    fn codes_are_the_c_statuses() {
        assert_eq!(of(ErrorKind::ScopeNotAllowed), 5);
        assert_eq!(of(ErrorKind::Panic), 14);
        assert_eq!(status_name(ErrorKind::Configuration), "VD_BROKER_ERR_CONFIGURATION");
    }
}
