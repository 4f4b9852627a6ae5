"""Every text the export client shows to people, in Dutch, with an English variant.

The client imports no Django, so it cannot use the portal's gettext catalogue; the texts live here
in one place instead. ``PARABENCH_LANG=en`` selects English; anything else gives Dutch.
"""

from __future__ import annotations

import os

MESSAGES: dict[str, tuple[str, str]] = {
    # --- configuration ---------------------------------------------------------------------
    "not_configured": (
        "De online dienst ParaBench is niet (goed) ingesteld: {reason}.\n"
        "Stel hem in met:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
        "The online service ParaBench is not (correctly) set up: {reason}.\n"
        "Set it up with:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
    ),
    "config.missing": (
        "er is nog geen instelling ({detail})",
        "there is no configuration yet ({detail})",
    ),
    "config.unreadable": (
        "het instellingenbestand {detail} is niet te lezen",
        "the configuration file {detail} cannot be read",
    ),
    "config.not_json": (
        "het instellingenbestand {detail} is beschadigd",
        "the configuration file {detail} is damaged",
    ),
    "config.service_missing": (
        "de online dienst ontbreekt in het instellingenbestand",
        "the configuration file has no online service",
    ),
    "config.service_type_wrong": (
        "het type van de online dienst is '{detail}' in plaats van 'ParaBench'",
        "the online service's type is '{detail}' instead of 'ParaBench'",
    ),
    "config.service_name_wrong": (
        "de naam van de online dienst is '{detail}' in plaats van 'ParaBench'",
        "the online service's name is '{detail}' instead of 'ParaBench'",
    ),
    "config.url_not_https": (
        "de URL '{detail}' begint niet met https://",
        "the URL '{detail}' does not start with https://",
    ),
    "config.url_invalid": ("de URL '{detail}' is ongeldig", "the URL '{detail}' is not valid"),
    "config.url_wrong_path": (
        "de URL '{detail}' eindigt niet op /ParabenchUploader/services",
        "the URL '{detail}' does not end in /ParabenchUploader/services",
    ),
    "config.agb_invalid": (
        "de AGB-code '{detail}' bestaat niet uit 8 cijfers",
        "the AGB code '{detail}' is not 8 digits",
    ),
    "configure.bad_value": (
        "Niet opgeslagen: {reason}.",
        "Not saved: {reason}.",
    ),
    "configure.needs_url": (
        "Geef de URL van de online dienst op, bijvoorbeeld:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
        "Give the URL of the online service, for example:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
    ),
    "configure.path_missing": (
        "Niet opgeslagen: {path} bestaat niet.",
        "Not saved: {path} does not exist.",
    ),
    "configure.saved": (
        "Online dienst ParaBench ingesteld in {path}.",
        "Online service ParaBench saved in {path}.",
    ),
    "configure.show": (
        "Instellingen ({path})\n"
        "  Online dienst: type {type}, naam {name}\n"
        "  URL: {url}\n"
        "  Gebruikersnaam: {username}\n"
        "  Toegangscode: {access_code}\n"
        "  AGB-code praktijk: {agb}\n"
        "  Certificatenmap: {cert_dir}\n"
        "  Certificaat: {cert_file}\n"
        "  Gekozen certificaat (SHA-256): {chosen}\n"
        "  CA van de server: {server_ca}",
        "Configuration ({path})\n"
        "  Online service: type {type}, name {name}\n"
        "  URL: {url}\n"
        "  User name: {username}\n"
        "  Access code: {access_code}\n"
        "  Practice AGB code: {agb}\n"
        "  Certificate folder: {cert_dir}\n"
        "  Certificate: {cert_file}\n"
        "  Chosen certificate (SHA-256): {chosen}\n"
        "  Server CA: {server_ca}",
    ),
    "empty": ("(leeg)", "(empty)"),
    "agb_missing": (
        "De AGB-code van de praktijk ontbreekt. Geef hem op met --agb 04123451, of sla hem "
        "op met:\n"
        "  parabench-client configure --agb 04123451",
        "The practice's AGB code is missing. Give it with --agb 04123451, or save it with:\n"
        "  parabench-client configure --agb 04123451",
    ),
    "agb_invalid": (
        "De AGB-code '{agb}' bestaat niet uit 8 cijfers.",
        "The AGB code '{agb}' is not 8 digits.",
    ),
    # --- records and export ------------------------------------------------------------------
    "records.missing": (
        "De map met praktijkgegevens {path} bestaat niet.",
        "The practice records folder {path} does not exist.",
    ),
    "records.problems": (
        "Praktijkgegevens: {errors} fout(en), {warnings} waarschuwing(en):",
        "Practice records: {errors} error(s), {warnings} warning(s):",
    ),
    "records.problem": (
        "  {file}, regel {line}: fout: {message}",
        "  {file}, line {line}: error: {message}",
    ),
    "records.warning": (
        "  {file}, regel {line}: waarschuwing: {message}",
        "  {file}, line {line}: warning: {message}",
    ),
    "records.more": ("  … en nog {count}", "  … and {count} more"),
    "records.strict_stop": (
        "Er is niets geëxporteerd. Verbeter de gegevens, of exporteer zonder de foute regels met "
        "--lenient.",
        "Nothing was exported. Correct the records, or export without the bad lines using "
        "--lenient.",
    ),
    "records.lenient": (
        "De regels met een fout (en wat ervan afhangt) worden niet meegenomen (--lenient).",
        "The lines with an error (and what depends on them) are left out (--lenient).",
    ),
    "export.partial_year": (
        "{year} is het lopende jaar: de export loopt tot en met het laatste volledige kwartaal "
        "({begin} t/m {end}).",
        "{year} is the current year: the export runs up to the last complete quarter "
        "({begin} to {end}).",
    ),
    "export.written": ("Export {year} geschreven: {path}", "Export {year} written: {path}"),
    "export.file_unreadable": (
        "Het exportbestand {path} is niet te lezen: {detail}",
        "The export file {path} cannot be read: {detail}",
    ),
    "export.file_invalid": (
        "Het exportbestand {path} voldoet niet aan het formaat:",
        "The export file {path} does not match the format:",
    ),
    "problem": ("  {path}: {message}", "  {path}: {message}"),
    "summary": (
        "Wat er naar ParaBench gaat (praktijk {agb}, {year}):\n"
        "  Periode:    {begin} t/m {end}\n"
        "  Patiënten:  {patients}\n"
        "  Klachten:   {episodes}\n"
        "  Zittingen:  {sessions}\n"
        "Alleen tellingen en totalen (managementinformatie) worden verzonden, geen "
        "patiëntgegevens: geen namen, BSN, geboortedata, adressen of patiëntnummers.",
        "What goes to ParaBench (practice {agb}, {year}):\n"
        "  Period:     {begin} to {end}\n"
        "  Patients:   {patients}\n"
        "  Episodes:   {episodes}\n"
        "  Sessions:   {sessions}\n"
        "Only counts and totals (management information) are sent, no patient data: no names, "
        "citizen service numbers, birth dates, addresses or patient numbers.",
    ),
    # --- certificates ------------------------------------------------------------------------
    "cert.not_found": (
        "Het certificaatbestand {path} bestaat niet.",
        "The certificate file {path} does not exist.",
    ),
    "cert.unreadable": (
        "Het certificaatbestand {path} is niet te lezen (geen geldig .pfx-bestand).",
        "The certificate file {path} cannot be read (not a valid .pfx file).",
    ),
    "cert.wrong_password": (
        "Het certificaat {path} opent niet met dit wachtwoord. Certificaten uit het ParaBench-"
        "portaal hebben een leeg wachtwoord: laat --password weg.",
        "The certificate {path} does not open with this password. Certificates from the "
        "ParaBench portal have an empty password: leave out --password.",
    ),
    "cert.no_key": (
        "Het bestand {path} bevat geen sleutel met certificaat.",
        "The file {path} holds no key with a certificate.",
    ),
    "cert.expired": (
        "Het certificaat {path} is verlopen op {detail}. Geef in het portaal een nieuw "
        "certificaat uit (Profiel › Aanvullende praktijkgegevens › Certificaat uitgeven).",
        "The certificate {path} expired on {detail}. Issue a new certificate in the portal "
        "(Profiel › Aanvullende praktijkgegevens › Certificaat uitgeven).",
    ),
    "cert.not_yet_valid": (
        "Het certificaat {path} is pas geldig vanaf {detail}. Controleer de datum en tijd van "
        "deze computer.",
        "The certificate {path} is only valid from {detail}. Check this computer's date and time.",
    ),
    "cert.no_folder": (
        "Er is geen certificaat opgegeven. Geef er een op met --cert bestand.pfx, of stel een "
        "certificatenmap in:\n  parabench-client configure --cert-dir MAP",
        "No certificate was given. Give one with --cert file.pfx, or set a certificate "
        "folder:\n  parabench-client configure --cert-dir FOLDER",
    ),
    "cert.folder_missing": (
        "De certificatenmap {path} bestaat niet.",
        "The certificate folder {path} does not exist.",
    ),
    "cert.none_found": (
        "In {path} staat geen geldig certificaat van ParaBench. Download een certificaat in het "
        "portaal (Profiel › Aanvullende praktijkgegevens › Certificaat uitgeven) en zet het in "
        "deze map.",
        "{path} holds no valid ParaBench certificate. Download one in the portal (Profiel › "
        "Aanvullende praktijkgegevens › Certificaat uitgeven) and put it in this folder.",
    ),
    "cert.several": (
        "In {path} staan {detail} geldige certificaten van ParaBench en er kon niet gekozen "
        "worden. Kies er een met --cert, of start de opdracht in een venster waarin u kunt "
        "kiezen (de keuze wordt onthouden).",
        "{path} holds {detail} valid ParaBench certificates and no choice could be made. Pick "
        "one with --cert, or run the command in a window where you can choose (the choice is "
        "remembered).",
    ),
    "cert.choose": (
        "Er zijn meerdere geldige certificaten van ParaBench. Welke wilt u gebruiken?",
        "There are several valid ParaBench certificates. Which one do you want to use?",
    ),
    "cert.option": (
        "  {number}. {subject}, geldig tot {until} ({name})",
        "  {number}. {subject}, valid until {until} ({name})",
    ),
    "cert.prompt": ("Nummer: ", "Number: "),
    "cert.remembered": (
        "Keuze onthouden; volgende keer wordt dit certificaat gebruikt.",
        "Choice remembered; this certificate is used next time.",
    ),
    "cert.using": (
        "Certificaat: {subject}, geldig tot {until}",
        "Certificate: {subject}, valid until {until}",
    ),
    # --- sending -----------------------------------------------------------------------------
    "send.progress": ("Verzenden", "Sending"),
    "send.needs_input": (
        "Geef aan wat er verzonden moet worden: --records MAP --year JAAR, of --file export.json.",
        "Say what to send: --records FOLDER --year YEAR, or --file export.json.",
    ),
    "send.retry": (
        "Geen antwoord van ParaBench ({reason}); nieuwe poging over {delay} s.",
        "No answer from ParaBench ({reason}); trying again in {delay} s.",
    ),
    "send.accepted": (
        "Ontvangen door ParaBench: import {number}. Het importeren kan enkele minuten duren.",
        "Received by ParaBench: import {number}. Importing may take a few minutes.",
    ),
    "send.duplicate": (
        "Deze export was al ontvangen (import {number}); er is niets dubbel verzonden.",
        "This export had already been received (import {number}); nothing was sent twice.",
    ),
    "send.status_hint": (
        "Bekijk de import met: parabench-client status {number}",
        "Follow the import with: parabench-client status {number}",
    ),
    "send.refused": (
        "ParaBench heeft de export geweigerd (HTTP {status}, {code}): {message}",
        "ParaBench refused the export (HTTP {status}, {code}): {message}",
    ),
    "send.refused_plain": (
        "ParaBench heeft het verzoek geweigerd (HTTP {status}).",
        "ParaBench refused the request (HTTP {status}).",
    ),
    "send.unavailable": (
        "ParaBench is niet bereikbaar op {url} (na {attempts} pogingen; laatste fout: {reason}). "
        "Controleer de internetverbinding en de URL, en probeer het later opnieuw.",
        "ParaBench cannot be reached at {url} (after {attempts} tries; last error: {reason}). "
        "Check the internet connection and the URL, and try again later.",
    ),
    "send.tls_refused": (
        "De beveiligde verbinding met ParaBench is geweigerd ({reason}). Meestal accepteert de "
        "server het certificaat niet: het ontbreekt, is verlopen, is geblokkeerd of is niet door "
        "deze ParaBench uitgegeven. Geef in het portaal een nieuw certificaat uit en probeer het "
        "opnieuw.",
        "The secure connection to ParaBench was refused ({reason}). Usually the server does not "
        "accept the certificate: it is missing, expired, blocked or not issued by this "
        "ParaBench. Issue a new certificate in the portal and try again.",
    ),
    "send.tls_reason.certificate_required": ("geen certificaat", "no certificate"),
    "send.tls_reason.certificate_expired": ("certificaat verlopen", "certificate expired"),
    "send.tls_reason.unknown_ca": ("onbekende uitgever", "unknown issuer"),
    "send.tls_reason.certificate_revoked": ("certificaat ingetrokken", "certificate revoked"),
    "send.tls_reason.bad_certificate": ("certificaat afgewezen", "certificate rejected"),
    "send.tls_reason.closed": (
        "verbinding tijdens de beveiliging verbroken",
        "connection closed during the TLS handshake",
    ),
    "send.server_untrusted": (
        "Het certificaat van de server {url} wordt niet vertrouwd ({reason}). Controleer de URL. "
        "Voor een eigen of testserver: geef de CA van de server op met\n"
        "  parabench-client configure --server-ca bestand.pem",
        "The server certificate of {url} is not trusted ({reason}). Check the URL. For a "
        "private or test server, give the server's CA with\n"
        "  parabench-client configure --server-ca file.pem",
    ),
    # --- import status -----------------------------------------------------------------------
    "status.line": ("Import {number}: {status}", "Import {number}: {status}"),
    "status.received": ("ontvangen, wacht op import", "received, waiting to be imported"),
    "status.importing": ("wordt geïmporteerd", "being imported"),
    "status.imported": ("geïmporteerd", "imported"),
    "status.rejected": ("afgekeurd", "rejected"),
    "status.times": (
        "  Upload: {uploaded}   Import: {imported}   Periode: {begin} t/m {end}",
        "  Upload: {uploaded}   Import: {imported}   Period: {begin} to {end}",
    ),
    "status.warning": ("  Waarschuwing: {message}", "  Warning: {message}"),
    "status.error": ("  Fout: {message}", "  Error: {message}"),
    "status.waiting": ("Wachten op de import…", "Waiting for the import…"),
    "status.still_busy": (
        "De import is nog niet klaar. Bekijk hem later met: parabench-client status {number}",
        "The import is not finished yet. Check later with: parabench-client status {number}",
    ),
    # --- synthetic records -------------------------------------------------------------------
    "synth.written": (
        "Synthetische praktijkgegevens geschreven in {path}: {patients} patiënten, "
        "{episodes} klachten, {sessions} zittingen, {therapists} therapeuten "
        "({year_from}–{year_to}).",
        "Synthetic practice records written in {path}: {patients} patients, {episodes} "
        "episodes, {sessions} sessions, {therapists} therapists ({year_from}–{year_to}).",
    ),
    "synth.bad_years": (
        "--year-from ({year_from}) ligt na --year-to ({year_to}).",
        "--year-from ({year_from}) is after --year-to ({year_to}).",
    ),
    "synth.bad_province": (
        "Onbekende provincie '{province}'. Kies uit: {choices}.",
        "Unknown province '{province}'. Choose from: {choices}.",
    ),
    "bad_date": (
        "'{value}' is geen datum (JJJJ-MM-DD).",
        "'{value}' is not a date (YYYY-MM-DD).",
    ),
    "interrupted": ("Afgebroken.", "Interrupted."),
}


def language() -> str:
    return "en" if os.environ.get("PARABENCH_LANG", "").lower().startswith("en") else "nl"


def t(key: str, **values) -> str:
    """The text for ``key`` in the chosen language, with ``values`` filled in."""
    dutch, english = MESSAGES[key]
    return (english if language() == "en" else dutch).format(**values)
