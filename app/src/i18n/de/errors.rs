//! German texts for the messages the server and the browser report: every message key's
//! English text (`server::domain::messages`, checked by a server test) and the few errors the
//! UI makes itself.

pub(super) static ENTRIES: &[(&str, &str)] = &[
    // Message keys (as ZITADEL words them)
    ("User could not be found", "Benutzer wurde nicht gefunden"),
    (
        "The User must be personal",
        "Der Benutzer muss eine Person sein",
    ),
    (
        "User is not yet initialized",
        "Benutzer ist noch nicht initialisiert",
    ),
    (
        "User is already initialized",
        "Benutzer ist bereits initialisiert",
    ),
    ("User already exists", "Benutzer existiert bereits"),
    ("User ID missing", "Benutzer-ID fehlt"),
    ("Email not found", "E-Mail-Adresse nicht gefunden"),
    ("Email not changed", "E-Mail-Adresse wurde nicht geändert"),
    (
        "Email is already verified",
        "E-Mail-Adresse ist bereits bestätigt",
    ),
    ("Email is invalid", "E-Mail-Adresse ist ungültig"),
    ("Email is empty", "E-Mail-Adresse ist leer"),
    ("Phone not found", "Telefonnummer nicht gefunden"),
    ("Phone not changed", "Telefonnummer wurde nicht geändert"),
    (
        "Phone already verified",
        "Telefonnummer ist bereits bestätigt",
    ),
    ("Phone is invalid", "Telefonnummer ist ungültig"),
    ("Phone is empty", "Telefonnummer ist leer"),
    ("Profile not found", "Profil nicht gefunden"),
    ("Profile not changed", "Profil wurde nicht geändert"),
    ("Profile is empty", "Profil ist leer"),
    (
        "Given name in profile is empty",
        "Vorname im Profil ist leer",
    ),
    (
        "Family name in profile is empty",
        "Nachname im Profil ist leer",
    ),
    ("Profile ID is missing", "Profil-ID fehlt"),
    ("Password not found", "Passwort nicht gefunden"),
    ("Password is too short", "Passwort ist zu kurz"),
    (
        "Password must contain lower case",
        "Passwort muss einen Kleinbuchstaben enthalten",
    ),
    (
        "Password must contain upper case",
        "Passwort muss einen Großbuchstaben enthalten",
    ),
    (
        "Password must contain number",
        "Passwort muss eine Ziffer enthalten",
    ),
    (
        "Password must contain symbol",
        "Passwort muss ein Sonderzeichen enthalten",
    ),
    (
        "Multifactor OTP (OneTimePassword) doesn't exist",
        "Der zweite Faktor OTP (Einmalpasswort) existiert nicht",
    ),
    (
        "WebAuthN Token could not be found",
        "WebAuthn-Token wurde nicht gefunden",
    ),
    (
        "Domain is already reserved and cannot be used",
        "Die Domain ist bereits reserviert und kann nicht verwendet werden",
    ),
    ("Username is empty", "Benutzername ist leer"),
    (
        "External IDP invalid",
        "Externer Identitätsanbieter ist ungültig",
    ),
    (
        "External IDP already taken",
        "Externer Identitätsanbieter ist bereits vergeben",
    ),
    (
        "Identity Provider Configuration doesn't exist",
        "Die Konfiguration des Identitätsanbieters existiert nicht",
    ),
    ("ID missing", "ID fehlt"),
    (
        "An internal error occurred",
        "Ein interner Fehler ist aufgetreten",
    ),
    // Roster's own keys
    (
        "The password hash format is not supported or malformed",
        "Das Format des Passwort-Hashes wird nicht unterstützt oder ist fehlerhaft",
    ),
    (
        "Password is too long (at most 128 characters)",
        "Passwort ist zu lang (höchstens 128 Zeichen)",
    ),
    (
        "Password is too common; choose one that is harder to guess",
        "Dieses Passwort ist zu verbreitet; wählen Sie eines, das schwerer zu erraten ist",
    ),
    (
        "Password must not contain the username, name or email",
        "Das Passwort darf weder Benutzername noch Name oder E-Mail-Adresse enthalten",
    ),
    ("Choose a password", "Wählen Sie ein Passwort"),
    (
        "The two passwords differ",
        "Die beiden Passwörter stimmen nicht überein",
    ),
    (
        "The current password is wrong",
        "Das aktuelle Passwort ist falsch",
    ),
    (
        "The new password must differ from the current one",
        "Das neue Passwort muss sich vom aktuellen unterscheiden",
    ),
    ("Name is empty", "Name ist leer"),
    (
        "Organisation name is empty",
        "Name der Organisation ist leer",
    ),
    ("User is not locked", "Benutzer ist nicht gesperrt"),
    (
        "Only failed messages can be sent again",
        "Nur fehlgeschlagene Nachrichten können erneut gesendet werden",
    ),
    ("Display name is empty", "Anzeigename ist leer"),
    (
        "The username or password is wrong",
        "Benutzername oder Passwort ist falsch",
    ),
    (
        "This passkey could not be verified; it may have been removed from the account",
        "Dieser Passkey konnte nicht geprüft werden; vielleicht wurde er aus dem Konto entfernt",
    ),
    (
        "The code is wrong or has expired",
        "Der Code ist falsch oder abgelaufen",
    ),
    (
        "This request expired or was already used; start again",
        "Diese Anfrage ist abgelaufen oder wurde schon verwendet; beginnen Sie von vorn",
    ),
    (
        "Too many passkey sign-ins are in progress; try again in a few minutes",
        "Zu viele Anmeldungen mit Passkey laufen gerade; versuchen Sie es in einigen Minuten erneut",
    ),
    (
        "The security key or passkey could not be verified",
        "Der Sicherheitsschlüssel oder Passkey konnte nicht geprüft werden",
    ),
    (
        "This security key or passkey is already registered",
        "Dieser Sicherheitsschlüssel oder Passkey ist bereits registriert",
    ),
    (
        "An authenticator app is already set up; remove it first",
        "Eine Authenticator-App ist bereits eingerichtet; entfernen Sie sie zuerst",
    ),
    (
        "The code is wrong or was already used",
        "Der Code ist falsch oder wurde bereits verwendet",
    ),
    (
        "No second factor is needed now",
        "Ein zweiter Faktor wird jetzt nicht benötigt",
    ),
    (
        "Your account has no password; confirm with your passkey instead",
        "Ihr Konto hat kein Passwort; bestätigen Sie stattdessen mit Ihrem Passkey",
    ),
    (
        "Your account has no passkey to confirm with",
        "Ihr Konto hat keinen Passkey, mit dem Sie bestätigen könnten",
    ),
    (
        "A code was just sent; wait a minute before asking for another",
        "Gerade wurde ein Code gesendet; warten Sie eine Minute, bevor Sie einen neuen anfordern",
    ),
    ("Please sign in", "Bitte melden Sie sich an"),
    (
        "Contains control or text-direction characters",
        "Enthält Steuer- oder Textrichtungszeichen",
    ),
    ("Is too long", "Ist zu lang"),
    (
        "This role needs an organisation",
        "Diese Rolle braucht eine Organisation",
    ),
    ("Token could not be found", "Token wurde nicht gefunden"),
    (
        "This page of the list is no longer valid; start again",
        "Diese Seite der Liste ist nicht mehr gültig; beginnen Sie von vorn",
    ),
    ("Choose an image file", "Wählen Sie eine Bilddatei"),
    (
        "The file is larger than 5 MiB",
        "Die Datei ist größer als 5 MiB",
    ),
    (
        "SVG and other text files are not accepted; choose a PNG, JPEG or WebP image",
        "SVG- und andere Textdateien werden nicht angenommen; wählen Sie ein PNG-, JPEG- oder WebP-Bild",
    ),
    (
        "This file is not a PNG, JPEG or WebP image",
        "Diese Datei ist kein PNG-, JPEG- oder WebP-Bild",
    ),
    (
        "The image is larger than 4096 × 4096 pixels",
        "Das Bild ist größer als 4096 × 4096 Pixel",
    ),
    (
        "The file carries other content besides the picture; save it again as a plain PNG, JPEG or WebP",
        "Die Datei enthält außer dem Bild noch anderen Inhalt; speichern Sie sie erneut als einfaches PNG, JPEG oder WebP",
    ),
    (
        "The image could not be read; it may be damaged",
        "Das Bild konnte nicht gelesen werden; es ist vielleicht beschädigt",
    ),
    // Errors the server words without a key
    (
        "Enter your password again to make this change.",
        "Geben Sie Ihr Passwort erneut ein, um diese Änderung vorzunehmen.",
    ),
    (
        "Choose a new password first.",
        "Wählen Sie zuerst ein neues Passwort.",
    ),
    (
        "Activate your account with the code from your mail first.",
        "Aktivieren Sie zuerst Ihr Konto mit dem Code aus Ihrer Mail.",
    ),
    (
        "Confirm your sign-in with your second factor first.",
        "Bestätigen Sie zuerst Ihre Anmeldung mit Ihrem zweiten Faktor.",
    ),
    (
        "An internal error occurred.",
        "Ein interner Fehler ist aufgetreten.",
    ),
    ("Please sign in.", "Bitte melden Sie sich an."),
    (
        "You are not allowed to do this.",
        "Dazu sind Sie nicht berechtigt.",
    ),
    (
        "The server is not set up correctly.",
        "Der Server ist nicht richtig eingerichtet.",
    ),
    // Errors the pages find before asking the server
    (
        "The two passwords differ.",
        "Die beiden Passwörter stimmen nicht überein.",
    ),
    (
        "The two new passwords differ.",
        "Die beiden neuen Passwörter stimmen nicht überein.",
    ),
    (
        "Your account has no security key any more.",
        "Ihr Konto hat keinen Sicherheitsschlüssel mehr.",
    ),
    // Errors the browser reports
    (
        "This browser cannot use security keys or passkeys here. Try a current browser.",
        "Dieser Browser kann hier keine Sicherheitsschlüssel oder Passkeys verwenden. Versuchen Sie es mit einem aktuellen Browser.",
    ),
    (
        "The request was cancelled or timed out. Try again when you are ready.",
        "Die Anfrage wurde abgebrochen oder ist abgelaufen. Versuchen Sie es erneut, sobald Sie bereit sind.",
    ),
    (
        "This authenticator is already registered for your account.",
        "Dieser Authenticator ist bereits für Ihr Konto registriert.",
    ),
    (
        "Security keys and passkeys need the page to finish loading.",
        "Für Sicherheitsschlüssel und Passkeys muss die Seite fertig geladen sein.",
    ),
    (
        "The upload was interrupted. Check your connection and try again.",
        "Das Hochladen wurde unterbrochen. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    ),
    (
        "The server's answer could not be read. Reload the page.",
        "Die Antwort des Servers konnte nicht gelesen werden. Laden Sie die Seite neu.",
    ),
    (
        "The picture could not be saved. Try again later.",
        "Das Profilbild konnte nicht gespeichert werden. Versuchen Sie es später erneut.",
    ),
];
