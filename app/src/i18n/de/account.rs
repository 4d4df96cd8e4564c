//! German texts for the account page and its factor settings; see the module above.

pub(super) static ENTRIES: &[(&str, &str)] = &[
    // Account page
    (
        "We sent a confirmation link to {email}. The change takes effect once you open it.",
        "Wir haben einen Bestätigungslink an {email} gesendet. Die Änderung wird wirksam, sobald Sie ihn öffnen.",
    ),
    (
        "We sent a code to {phone}. Enter it below to confirm the number.",
        "Wir haben einen Code an {phone} gesendet. Geben Sie ihn unten ein, um die Nummer zu bestätigen.",
    ),
    (
        "Your phone number is confirmed.",
        "Ihre Telefonnummer ist bestätigt.",
    ),
    ("A new code is on its way.", "Ein neuer Code ist unterwegs."),
    (
        "Your phone number was removed.",
        "Ihre Telefonnummer wurde entfernt.",
    ),
    (
        "Waiting for you to confirm {pending}: open the link we sent there.",
        "Wartet auf Ihre Bestätigung von {pending}: Öffnen Sie den Link, den wir dorthin gesendet haben.",
    ),
    (
        "Send the confirmation link again",
        "Bestätigungslink erneut senden",
    ),
    (
        "Your current address stays until you open the link we send to the new one.",
        "Ihre bisherige Adresse bleibt gültig, bis Sie den Link öffnen, den wir an die neue senden.",
    ),
    ("No phone number.", "Keine Telefonnummer."),
    ("Code from the SMS", "Code aus der SMS"),
    ("Confirm phone", "Telefonnummer bestätigen"),
    ("Phone number", "Telefonnummer"),
    (
        "International format, starting with +, e.g. +41 71 000 00 00. We send a code to confirm it.",
        "Internationales Format, beginnend mit +, z. B. +41 71 000 00 00. Wir senden einen Code, um sie zu bestätigen.",
    ),
    ("Save phone number", "Telefonnummer speichern"),
    // Account page: authenticator app
    (
        "Your authenticator app is set up. You will be asked for a code when you sign in.",
        "Ihre Authenticator-App ist eingerichtet. Beim Anmelden werden Sie nach einem Code gefragt.",
    ),
    (
        "The authenticator app was removed.",
        "Die Authenticator-App wurde entfernt.",
    ),
    (
        "An authenticator app is set up. ",
        "Eine Authenticator-App ist eingerichtet. ",
    ),
    ("Remove authenticator app", "Authenticator-App entfernen"),
    (
        "Open your authenticator app and add an account.",
        "Öffnen Sie Ihre Authenticator-App und fügen Sie ein Konto hinzu.",
    ),
    (
        "Scan this QR code, or type the key below.",
        "Scannen Sie diesen QR-Code oder geben Sie den Schlüssel unten ein.",
    ),
    (
        "QR code that adds your Roster account to an authenticator app",
        "QR-Code, der Ihr Roster-Konto zu einer Authenticator-App hinzufügt",
    ),
    ("Key", "Schlüssel"),
    (
        "Enter the code the app shows to finish.",
        "Geben Sie zum Abschluss den Code ein, den die App anzeigt.",
    ),
    ("Code from the app", "Code aus der App"),
    (
        "An app on your phone (for example Aegis, Google Authenticator or 1Password) ",
        "Eine App auf Ihrem Telefon (zum Beispiel Aegis, Google Authenticator oder 1Password) ",
    ),
    (
        "shows a new six-digit code every 30 seconds. Roster asks for it after your password.",
        "zeigt alle 30 Sekunden einen neuen sechsstelligen Code. Roster fragt ihn nach Ihrem Passwort ab.",
    ),
    ("Preparing…", "Wird vorbereitet …"),
    (
        "Set up an authenticator app",
        "Authenticator-App einrichten",
    ),
    // Account page: security keys and passkeys
    (
        "Your {kind} “{name}” is added.",
        "Ihr {kind} „{name}“ wurde hinzugefügt.",
    ),
    ("Renamed to “{name}”.", "Umbenannt in „{name}“."),
    ("The {kind} was removed.", "Der {kind} wurde entfernt."),
    (
        "A security key (such as a YubiKey) is asked for after your password.",
        "Ein Sicherheitsschlüssel (etwa ein YubiKey) wird nach Ihrem Passwort abgefragt.",
    ),
    ("Add security key", "Sicherheitsschlüssel hinzufügen"),
    (
        "A passkey signs you in without a password, with your fingerprint, face or device PIN.",
        "Ein Passkey meldet Sie ohne Passwort an, mit Ihrem Fingerabdruck, Ihrem Gesicht oder der PIN Ihres Geräts.",
    ),
    ("Add passkey", "Passkey hinzufügen"),
    ("No security keys yet.", "Noch keine Sicherheitsschlüssel."),
    ("No passkeys yet.", "Noch keine Passkeys."),
    (
        "So you can tell them apart, e.g. “Work laptop” or “Blue key”.",
        "Damit Sie sie unterscheiden können, z. B. „Arbeitslaptop“ oder „Blauer Schlüssel“.",
    ),
    (
        "Waiting for the page to load…",
        "Warten, bis die Seite geladen ist …",
    ),
    ("Added ", "Hinzugefügt: "),
    (" · last used ", " · zuletzt verwendet: "),
    ("New name for “{name}”", "Neuer Name für „{name}“"),
    ("Save name", "Name speichern"),
    ("Rename {name}", "{name} umbenennen"),
    ("Rename", "Umbenennen"),
];
