//! German texts shared by several pages: the header and footer, forms, dialogs, the avatar
//! editor and the labels of the model's enums.

pub(super) static ENTRIES: &[(&str, &str)] = &[
    // Header and footer
    ("Skip to content", "Zum Inhalt springen"),
    ("Main", "Hauptnavigation"),
    ("My account", "Mein Konto"),
    ("Users", "Benutzer"),
    ("Organisations", "Organisationen"),
    ("Service accounts", "Dienstkonten"),
    ("Signed in as", "Angemeldet als"),
    ("Sign out", "Abmelden"),
    ("Sign in", "Anmelden"),
    (
        "REST API and OpenAPI document",
        "REST-API und OpenAPI-Dokument",
    ),
    // Page guards
    ("Loading…", "Wird geladen …"),
    ("Not allowed", "Nicht erlaubt"),
    (
        "This page is for administrators. Your account has no role that allows it.",
        "Diese Seite ist für Administratoren. Ihr Konto hat keine Rolle, die sie erlaubt.",
    ),
    // Form parts
    ("Show {field}", "{field} anzeigen"),
    ("Show", "Anzeigen"),
    ("Hide", "Verbergen"),
    ("Gender", "Geschlecht"),
    ("Preferred language", "Bevorzugte Sprache"),
    (
        "A language tag such as en, de-CH or pt-BR. Left empty or unknown, it is saved as und. Roster's pages and mails follow it when it is English or German.",
        "Ein Sprachkürzel wie en, de-CH oder pt-BR. Leer oder unbekannt wird es als und gespeichert. Die Seiten und Mails von Roster folgen ihm, wenn es Englisch oder Deutsch ist.",
    ),
    (" (reference {reference})", " (Referenz {reference})"),
    ("Something went wrong", "Etwas ist schiefgegangen"),
    ("Connection problem", "Verbindungsproblem"),
    ("Could not sign in", "Anmeldung nicht möglich"),
    ("Too many attempts", "Zu viele Versuche"),
    ("Not found", "Nicht gefunden"),
    ("Could not save", "Speichern nicht möglich"),
    (
        "Showing {first}–{last} of {total}",
        "{first}–{last} von {total}",
    ),
    // The confirm-it-is-you dialog
    ("Confirm it is you", "Bestätigen Sie, dass Sie es sind"),
    (
        "For your security, enter your password again to make this change.",
        "Geben Sie zu Ihrer Sicherheit Ihr Passwort erneut ein, um diese Änderung vorzunehmen.",
    ),
    (
        "For your security, confirm with your passkey to make this change.",
        "Bestätigen Sie zu Ihrer Sicherheit mit Ihrem Passkey, um diese Änderung vorzunehmen.",
    ),
    ("Waiting for your passkey…", "Warten auf Ihren Passkey …"),
    ("Confirm with a passkey", "Mit einem Passkey bestätigen"),
    ("Your password", "Ihr Passwort"),
    ("Confirm", "Bestätigen"),
    ("Checking…", "Wird geprüft …"),
    ("Cancel", "Abbrechen"),
    // The avatar editor
    ("Replace picture", "Profilbild ersetzen"),
    ("Choose a picture", "Profilbild auswählen"),
    (
        "or drop one here. PNG, JPEG or WebP, up to 5 MiB and 4096 × 4096 pixels; it is cropped to a square.",
        "oder hier ablegen. PNG, JPEG oder WebP, bis 5 MiB und 4096 × 4096 Pixel; es wird quadratisch zugeschnitten.",
    ),
    ("Upload progress", "Fortschritt beim Hochladen"),
    ("Uploading… {percent} %", "Wird hochgeladen … {percent} %"),
    ("Remove picture", "Profilbild entfernen"),
    (
        "The new picture is saved.",
        "Das neue Profilbild ist gespeichert.",
    ),
    ("The picture is removed.", "Das Profilbild ist entfernt."),
    // User states (UserState::label)
    ("Unknown", "Unbekannt"),
    ("Active", "Aktiv"),
    ("Inactive", "Inaktiv"),
    ("Deleted", "Gelöscht"),
    ("Locked", "Gesperrt"),
    ("Suspended", "Ausgesetzt"),
    ("Not yet initialized", "Noch nicht initialisiert"),
    // Genders (Gender::label)
    ("Not specified", "Nicht angegeben"),
    ("Female", "Weiblich"),
    ("Male", "Männlich"),
    ("Diverse", "Divers"),
    // Roles (Role::label)
    ("Instance owner (everything)", "Instanzbesitzer (alles)"),
    (
        "User manager, all organisations",
        "Benutzerverwaltung, alle Organisationen",
    ),
    ("Organisation owner", "Organisationsbesitzer"),
    (
        "User manager, one organisation",
        "Benutzerverwaltung, eine Organisation",
    ),
    (
        "User viewer, one organisation",
        "Benutzer ansehen, eine Organisation",
    ),
    // Credential kinds (CredentialKind::label)
    ("security key", "Sicherheitsschlüssel"),
    ("passkey", "Passkey"),
];
