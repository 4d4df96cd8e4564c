//! German texts for signing in and the pages reached from links in mails: sign-in, second
//! factor, passkey links, password change, initialization, password reset and email
//! verification.

pub(super) static ENTRIES: &[(&str, &str)] = &[
    // Unknown paths
    ("Page not found", "Seite nicht gefunden"),
    (
        "There is nothing at this address.",
        "Unter dieser Adresse gibt es nichts.",
    ),
    ("Go to the start page", "Zur Startseite"),
    // Sign-in
    (
        "Your account is ready. Sign in with your new password.",
        "Ihr Konto ist bereit. Melden Sie sich mit Ihrem neuen Passwort an.",
    ),
    ("You are signed out.", "Sie sind abgemeldet."),
    (
        "Your new password is set. Sign in with it.",
        "Ihr neues Passwort ist festgelegt. Melden Sie sich damit an.",
    ),
    ("Username or email", "Benutzername oder E-Mail"),
    ("Signing in…", "Wird angemeldet …"),
    ("Forgot your password?", "Passwort vergessen?"),
    ("or", "oder"),
    ("Sign in with a passkey", "Mit einem Passkey anmelden"),
    // Second factor
    ("Confirm your sign-in", "Anmeldung bestätigen"),
    (
        "Your account is protected by a second factor. Use one of them to finish signing in.",
        "Ihr Konto ist durch einen zweiten Faktor geschützt. Verwenden Sie einen davon, um die Anmeldung abzuschließen.",
    ),
    ("Security key", "Sicherheitsschlüssel"),
    (
        "Insert or touch your security key when the browser asks for it.",
        "Stecken Sie Ihren Sicherheitsschlüssel ein oder berühren Sie ihn, wenn der Browser danach fragt.",
    ),
    ("Waiting for your key…", "Warten auf Ihren Schlüssel …"),
    (
        "Use my security key",
        "Meinen Sicherheitsschlüssel verwenden",
    ),
    (
        "Six-digit code from your app",
        "Sechsstelliger Code aus Ihrer App",
    ),
    (
        "No second factor is left on your account. Sign out and sign in again.",
        "Ihr Konto hat keinen zweiten Faktor mehr. Melden Sie sich ab und erneut an.",
    ),
    // Passkey registration link
    ("Register a passkey", "Passkey registrieren"),
    (
        "This link is incomplete. Open the whole link from the message you received, or ask for a new one.",
        "Dieser Link ist unvollständig. Öffnen Sie den ganzen Link aus der Nachricht, die Sie erhalten haben, oder fordern Sie einen neuen an.",
    ),
    (
        "Your passkey is registered. You can now sign in with it, without a password.",
        "Ihr Passkey ist registriert. Sie können sich jetzt ohne Passwort damit anmelden.",
    ),
    ("Go to sign-in", "Zur Anmeldung"),
    (
        "A passkey lets you sign in on this device with your fingerprint, face or screen lock ",
        "Mit einem Passkey melden Sie sich auf diesem Gerät per Fingerabdruck, Gesichtserkennung oder Bildschirmsperre an ",
    ),
    (
        "instead of a password. Your browser will ask you to confirm.",
        "statt mit einem Passwort. Ihr Browser bittet Sie um Bestätigung.",
    ),
    ("Name for this passkey", "Name für diesen Passkey"),
    (
        "So you can tell your passkeys apart later.",
        "Damit Sie Ihre Passkeys später unterscheiden können.",
    ),
    ("Register passkey", "Passkey registrieren"),
    (
        "Follow your browser's instructions…",
        "Folgen Sie den Anweisungen Ihres Browsers …",
    ),
    // Password change
    ("Change password", "Passwort ändern"),
    ("Your password was changed.", "Ihr Passwort wurde geändert."),
    ("Choose a new password", "Neues Passwort wählen"),
    (
        "Your password was set by an administrator or is a one-time password. Choose your own before you continue.",
        "Ihr Passwort wurde von einem Administrator festgelegt oder ist ein Einmalpasswort. Wählen Sie ein eigenes, bevor Sie fortfahren.",
    ),
    ("Current password", "Aktuelles Passwort"),
    ("New password", "Neues Passwort"),
    (
        "At least 8 characters. Long passphrases are best; common passwords and your own name are refused.",
        "Mindestens 8 Zeichen. Lange Passphrasen sind am besten; verbreitete Passwörter und Ihr eigener Name werden abgelehnt.",
    ),
    ("Repeat the new password", "Neues Passwort wiederholen"),
    ("Sign out my other devices", "Meine anderen Geräte abmelden"),
    (
        "Recommended if you think someone else knows your old password.",
        "Empfohlen, wenn Sie vermuten, dass jemand anderes Ihr altes Passwort kennt.",
    ),
    ("Changing…", "Wird geändert …"),
    // Account activation
    ("Activate your account", "Konto aktivieren"),
    (
        "This link is incomplete. Open the link from your invitation mail again, or sign in.",
        "Dieser Link ist unvollständig. Öffnen Sie den Link aus Ihrer Einladungsmail erneut oder melden Sie sich an.",
    ),
    (
        "Enter the code from your invitation mail to finish your account.",
        "Geben Sie den Code aus Ihrer Einladungsmail ein, um Ihr Konto fertig einzurichten.",
    ),
    (
        "Enter the code from your invitation mail and choose your password.",
        "Geben Sie den Code aus Ihrer Einladungsmail ein und wählen Sie Ihr Passwort.",
    ),
    ("Code", "Code"),
    ("Repeat the password", "Passwort wiederholen"),
    ("Activate account", "Konto aktivieren"),
    ("Activating…", "Wird aktiviert …"),
    // Password reset
    ("Reset password", "Passwort zurücksetzen"),
    (
        "If an account with that username or email exists, a link to reset its password is on its way. Check your mail.",
        "Falls ein Konto mit diesem Benutzernamen oder dieser E-Mail-Adresse existiert, ist ein Link zum Zurücksetzen des Passworts unterwegs. Sehen Sie in Ihren Mails nach.",
    ),
    (
        "Enter your username or email. We will mail you a link to choose a new password.",
        "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen per Mail einen Link, mit dem Sie ein neues Passwort wählen.",
    ),
    ("Send reset link", "Link zum Zurücksetzen senden"),
    ("Sending…", "Wird gesendet …"),
    ("Back to sign-in", "Zurück zur Anmeldung"),
    ("Set new password", "Neues Passwort festlegen"),
    (
        "You will be signed out everywhere and sign in again with the new password.",
        "Sie werden überall abgemeldet und melden sich mit dem neuen Passwort wieder an.",
    ),
    // Email verification
    ("Confirm email address", "E-Mail-Adresse bestätigen"),
    (
        "Confirm your email address",
        "Bestätigen Sie Ihre E-Mail-Adresse",
    ),
    (
        "Your email address is confirmed.",
        "Ihre E-Mail-Adresse ist bestätigt.",
    ),
    ("Go to your account", "Zu Ihrem Konto"),
    (
        "This link is incomplete. Open the link from the mail again.",
        "Dieser Link ist unvollständig. Öffnen Sie den Link aus der Mail erneut.",
    ),
    (
        "Confirm that this address belongs to you.",
        "Bestätigen Sie, dass diese Adresse Ihnen gehört.",
    ),
    ("Confirming…", "Wird bestätigt …"),
];
