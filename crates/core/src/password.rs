//! The password rule for accounts: what a password chosen by a person must be, whichever door it
//! comes through (`sepakat user add`, the API's password change, the account page). Hashing and
//! checking a password against its hash are not rules and stay with the web crate.

use serde::Serialize;

/// The shortest password accepted, in characters (not bytes: `é` counts once).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// A control character (a tab, a line break, a bell…), which no keyboard types on purpose.
    ControlCharacter,
}

impl PasswordProblem {
    /// Formal Indonesian.
    pub fn message_id(self) -> String {
        match self {
            PasswordProblem::TooShort => format!(
                "Kata sandi harus terdiri atas sekurang-kurangnya {MIN_PASSWORD_CHARS} karakter."
            ),
            PasswordProblem::ControlCharacter => {
                "Kata sandi tidak boleh memuat karakter kendali.".into()
            }
        }
    }

    /// English.
    pub fn message_en(self) -> String {
        match self {
            PasswordProblem::TooShort => {
                format!("The password must have at least {MIN_PASSWORD_CHARS} characters.")
            }
            PasswordProblem::ControlCharacter => {
                "The password must not contain control characters.".into()
            }
        }
    }
}

/// Checks a new password against the rule; the first problem found, if any.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if password.chars().any(char::is_control) {
        return Err(PasswordProblem::ControlCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_characters_are_the_least() {
        assert_eq!(check_password("123456789"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("1234567890"), Ok(()));
        assert_eq!(check_password(""), Err(PasswordProblem::TooShort));
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        // Nine characters, eighteen bytes.
        assert_eq!(check_password("ééééééééé"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("éééééééééé"), Ok(()));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(
            check_password("panjang\u{7}sekali"),
            Err(PasswordProblem::ControlCharacter)
        );
        assert_eq!(
            check_password("panjang sekali\n"),
            Err(PasswordProblem::ControlCharacter)
        );
        assert_eq!(check_password("panjang sekali dengan spasi"), Ok(()));
    }

    #[test]
    fn messages_name_the_rule_in_both_languages() {
        assert!(
            PasswordProblem::TooShort
                .message_id()
                .contains("10 karakter")
        );
        assert!(
            PasswordProblem::TooShort
                .message_en()
                .contains("10 characters")
        );
        assert!(
            PasswordProblem::ControlCharacter
                .message_id()
                .contains("karakter kendali")
        );
    }
}
