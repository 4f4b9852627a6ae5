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
        "  Map praktijkgegevens: {records}\n"
        "  Certificatenmap: {cert_dir}\n"
        "  Certificaat: {cert_file}\n"
        "  Gekozen certificaat (SHA-256): {chosen}\n"
        "  Door ParaBench geweigerde certificaten: {refused}\n"
        "  Wachtwoordbestand certificaat: {password_file}\n"
        "  CA van de server: {server_ca}",
        "Configuration ({path})\n"
        "  Online service: type {type}, name {name}\n"
        "  URL: {url}\n"
        "  User name: {username}\n"
        "  Access code: {access_code}\n"
        "  Practice AGB code: {agb}\n"
        "  Practice records folder: {records}\n"
        "  Certificate folder: {cert_dir}\n"
        "  Certificate: {cert_file}\n"
        "  Chosen certificate (SHA-256): {chosen}\n"
        "  Certificates refused by ParaBench: {refused}\n"
        "  Certificate password file: {password_file}\n"
        "  Server CA: {server_ca}",
    ),
    "empty": ("(leeg)", "(empty)"),
    "configure.not_writable": (
        "Niet opgeslagen: {path} is niet te schrijven ({detail}). Voor de instelling voor de hele "
        "computer (--machine) zijn beheerrechten nodig.",
        "Not saved: {path} cannot be written ({detail}). The setting for the whole computer "
        "(--machine) needs administrator rights.",
    ),
    "configure.forgotten": (
        "Het gekozen, het vaste en de geweigerde certificaten zijn vergeten; de volgende keer "
        "wordt opnieuw gekozen uit de certificatenmap.",
        "The chosen, the fixed and the refused certificates are forgotten; next time the choice "
        "is made again from the certificate folder.",
    ),
    "year.invalid": (
        "'{value}' is geen jaar: geef een jaartal (2025), 'vorig' of 'huidig'.",
        "'{value}' is not a year: give a year (2025), 'previous' or 'current'.",
    ),
    "year.too_early": (
        "{value} ligt voor {first}; ParaBench neemt alleen jaren vanaf {first} aan.",
        "{value} lies before {first}; ParaBench accepts years from {first} only.",
    ),
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
    "records.reading": (
        "Praktijkgegevens lezen uit {path}…",
        "Reading practice records from {path}…",
    ),
    "records.read": (
        "Gelezen: {patients} patiënten, {episodes} klachten, {sessions} zittingen, {therapists} "
        "therapeuten.",
        "Read: {patients} patients, {episodes} episodes, {sessions} sessions, {therapists} "
        "therapists.",
    ),
    "records.problem": (
        "  {file}, regel {line}: fout: {message}",
        "  {file}, line {line}: error: {message}",
    ),
    "records.warning": (
        "  {file}, regel {line}: waarschuwing: {message}",
        "  {file}, line {line}: warning: {message}",
    ),
    "records.problem_file": ("  {file}: fout: {message}", "  {file}: error: {message}"),
    "records.warning_file": ("  {file}: waarschuwing: {message}", "  {file}: warning: {message}"),
    "records.file_stop": (
        "Er is niets geëxporteerd. Herstel eerst het bestand zelf (--lenient helpt hier niet: dat "
        "laat alleen foute regels weg).",
        "Nothing was exported. Fix the file itself first (--lenient does not help here: it only "
        "leaves out bad lines).",
    ),
    "records.lenient_too_many": (
        "Er is niets geëxporteerd: van {file} zijn {left_out} van de {read} regels afgekeurd. Zo "
        "veel fouten wijzen op een verkeerd bestandsformaat (bijvoorbeeld datums als dd-mm-jjjj); "
        "een export van de rest zou het jaar van de praktijk vervangen door een deel ervan. "
        "Herstel het formaat (docs/practice-records.md).",
        "Nothing was exported: {left_out} of the {read} lines of {file} were rejected. So many "
        "errors point to a wrong file format (dates as dd-mm-yyyy, say); an export of the rest "
        "would replace the practice's year with a part of it. Fix the format "
        "(docs/practice-records.md).",
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
    "problem": ("  {path} [{code}]: {message}", "  {path} [{code}]: {message}"),
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
        "Het certificaat {path} opent niet met het opgegeven wachtwoord. Controleer het wachtwoord "
        "(--password-file, PARABENCH_CERT_PASSWORD of --password). Een certificaat zoals het uit "
        "het portaal komt heeft een leeg wachtwoord.",
        "The certificate {path} does not open with the password given. Check the password "
        "(--password-file, PARABENCH_CERT_PASSWORD or --password). A certificate as downloaded "
        "from the portal has an empty password.",
    ),
    "cert.password_needed": (
        "Het certificaat {path} heeft een wachtwoord (Windows vraagt er altijd een bij het "
        "exporteren uit het certificaatarchief). Geef het wachtwoord op in een bestand:\n"
        "  parabench-client configure --password-file BESTAND\n"
        "of in de omgevingsvariabele PARABENCH_CERT_PASSWORD. Of gebruik het .pfx-bestand zoals "
        "het uit het portaal kwam (leeg wachtwoord).",
        "The certificate {path} has a password (Windows always asks for one when exporting from "
        "its certificate store). Give the password in a file:\n"
        "  parabench-client configure --password-file FILE\n"
        "or in the environment variable PARABENCH_CERT_PASSWORD. Or use the .pfx file as it came "
        "from the portal (empty password).",
    ),
    "cert.password_file": (
        "Het wachtwoordbestand {path} is niet te lezen.",
        "The password file {path} cannot be read.",
    ),
    "cert.forgotten": (
        "Dit certificaat ({label}, serienummer {serial}) wordt niet meer gebruikt; er wordt een "
        "ander geldig certificaat uit de certificatenmap gekozen.",
        "This certificate ({label}, serial number {serial}) is no longer used; another valid "
        "certificate is chosen from the certificate folder.",
    ),
    "cert.forgotten_fixed": (
        "Het certificaat {label} wordt niet meer gebruikt. Zet een nieuw certificaat uit het "
        "portaal in een map en stel die in:\n"
        "  parabench-client configure --cert-dir MAP",
        "The certificate {label} is no longer used. Put a new certificate from the portal in a "
        "folder and set it:\n"
        "  parabench-client configure --cert-dir FOLDER",
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
    "cert.newest": (
        "Er zijn {count} geldige certificaten van deze praktijk en niemand om te kiezen: het "
        "nieuwste wordt gebruikt.",
        "There are {count} valid certificates of this practice and nobody to choose: the newest "
        "is used.",
    ),
    "cert.choose": (
        "Er zijn meerdere geldige certificaten van ParaBench. Welke wilt u gebruiken?",
        "There are several valid ParaBench certificates. Which one do you want to use?",
    ),
    "cert.option": (
        "  {number}. {label}, serienummer {serial}, geldig van {since} tot {until} ({name})",
        "  {number}. {label}, serial number {serial}, valid from {since} to {until} ({name})",
    ),
    "cert.prompt": ("Nummer: ", "Number: "),
    "cert.remembered": (
        "Keuze onthouden; volgende keer wordt dit certificaat gebruikt.",
        "Choice remembered; this certificate is used next time.",
    ),
    "cert.using": (
        "Certificaat: {label}, serienummer {serial}, geldig tot {until}",
        "Certificate: {label}, serial number {serial}, valid until {until}",
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
    "send.refused_request": (
        "ParaBench heeft het verzoek geweigerd (HTTP {status}, {code}): {message}",
        "ParaBench refused the request (HTTP {status}, {code}): {message}",
    ),
    "send.dry_run_ok": (
        "Proef geslaagd voor {year}: ParaBench zou deze export aannemen. Er is niets opgeslagen.",
        "Dry run passed for {year}: ParaBench would accept this export. Nothing was stored.",
    ),
    "send.not_tls": (
        "Op {url} antwoordt geen HTTPS-server ({reason}): waarschijnlijk gewoon HTTP op deze "
        "poort. Controleer de URL en de poort:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
        "No HTTPS server answers at {url} ({reason}): probably plain HTTP on this port. Check "
        "the URL and the port:\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services",
    ),
    "send.not_parabench": (
        "Er is niets afgeleverd: op {url} antwoordde iets anders dan ParaBench (HTTP {status}, "
        "{content_type}). Vaak is dat een proxy of de inlogpagina van een (gast)netwerk. "
        "Controleer de internetverbinding en de URL, en probeer het opnieuw.",
        "Nothing was delivered: something other than ParaBench answered at {url} (HTTP "
        "{status}, {content_type}). Often that is a proxy or the login page of a (guest) "
        "network. Check the internet connection and the URL, and try again.",
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
    "status.unknown": (
        "ParaBench kent geen import {number} van deze praktijk. Controleer het nummer (het staat "
        "in de melding na het versturen en in het portaal onder Profiel).",
        "ParaBench knows no import {number} of this practice. Check the number (it is in the "
        "message after sending and in the portal under Profiel).",
    ),
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
    "internal": (
        "Onverwachte fout in parabench-client ({kind}: {detail}). Er is mogelijk niets verstuurd; "
        "meld dit bij ParaBench met de uitvoer van --log.",
        "Unexpected error in parabench-client ({kind}: {detail}). Possibly nothing was sent; "
        "report this to ParaBench with the output of --log.",
    ),
    "validate.invalid": (
        "{path} voldoet niet aan het formaat ({count} probleem/problemen):",
        "{path} does not match the format ({count} problem(s)):",
    ),
    "validate.ok": (
        "{path} voldoet aan {format}.",
        "{path} matches {format}.",
    ),
    "validate.online_ok": (
        "De uploaddienst {url} neemt dit bestand aan met dit certificaat (niets opgeslagen).",
        "The upload service {url} accepts this file with this certificate (nothing stored).",
    ),
    "log.unwritable": (
        "Het logbestand {path} is niet te schrijven ({detail}).",
        "The log file {path} cannot be written ({detail}).",
    ),
    "log.start": (
        "parabench-client {version} gestart: {arguments}",
        "parabench-client {version} started: {arguments}",
    ),
    "log.end": ("klaar, exitcode {code}", "done, exit code {code}"),
    # --- help ----------------------------------------------------------------------------------
    "help.description": (
        "Exporteert managementinformatie (alleen tellingen, geen patiëntgegevens) uit de "
        "praktijkgegevens en verstuurt die naar ParaBench.",
        "Exports management information (counts only, no patient data) from the practice "
        "records and sends it to ParaBench.",
    ),
    "help.epilog": (
        "Exitcodes: 0 gelukt, 1 onverwachte fout, 2 verkeerd gebruik, 3 niet ingesteld, "
        "4 foute gegevens, 5 niets te exporteren, 6 certificaatprobleem, 7 geweigerd door "
        "ParaBench, 8 ParaBench niet bereikbaar.\n"
        "Taal: PARABENCH_LANG=en voor Engels. Instellingen: --config, PARABENCH_CLIENT_CONFIG, "
        "de gebruikersmap of de map voor de hele computer.",
        "Exit codes: 0 done, 1 unexpected error, 2 wrong usage, 3 not configured, 4 bad data, "
        "5 nothing to export, 6 certificate problem, 7 refused by ParaBench, 8 ParaBench not "
        "reachable.\n"
        "Language: PARABENCH_LANG=nl for Dutch. Settings: --config, PARABENCH_CLIENT_CONFIG, "
        "the user folder or the folder for the whole computer.",
    ),
    "help.config": (
        "instellingenbestand voor deze opdracht (anders PARABENCH_CLIENT_CONFIG, de gebruikersmap "
        "of de map voor de hele computer)",
        "configuration file for this command (else PARABENCH_CLIENT_CONFIG, the user folder or "
        "the folder for the whole computer)",
    ),
    "help.log": (
        "elke melding met tijdstip ook aan dit bestand toevoegen",
        "also append every message with a time stamp to this file",
    ),
    "command.configure": (
        "de online dienst ParaBench instellen",
        "set up the online service ParaBench",
    ),
    "command.export": (
        "export per jaar naar een JSON-bestand schrijven",
        "write the export of each year to a JSON file",
    ),
    "command.send": ("exporteren en naar ParaBench versturen", "export and send to ParaBench"),
    "command.status": ("de stand van een import bekijken", "show the state of an import"),
    "command.validate": (
        "een exportbestand controleren (offline; met --online ook bij de uploaddienst)",
        "check an export file (offline; with --online also at the upload service)",
    ),
    "command.synth": (
        "synthetische praktijkgegevens maken (test/demo)",
        "make synthetic practice records (test/demo)",
    ),
    "command.venster": (
        "een venster openen om een jaar te versturen",
        "open a window to send a year",
    ),
    "meta.command": ("opdracht", "command"),
    # --- the window --------------------------------------------------------------------------
    "window.title": ("Communicatie met ParaBench", "Communication with ParaBench"),
    "window.heading": (
        "Managementinformatie naar ParaBench",
        "Management information to ParaBench",
    ),
    "window.service": ("Praktijk {agb} · {url}", "Practice {agb} · {url}"),
    "window.records": ("Praktijkgegevens:", "Practice records:"),
    "window.browse": ("Bladeren…", "Browse…"),
    "window.year_label": ("Jaar:", "Year:"),
    "window.year": ("{year} ({begin} t/m {end})", "{year} ({begin} to {end})"),
    "window.send": ("Versturen", "Send"),
    "window.close": ("Sluiten", "Close"),
    "window.ready": (
        "Kies het jaar en klik op Versturen. Alleen tellingen gaan naar ParaBench, geen "
        "patiëntgegevens.",
        "Choose the year and click Send. Only counts go to ParaBench, no patient data.",
    ),
    "window.choose": (
        "Kies eerst de map met praktijkgegevens en een jaar.",
        "First choose the practice records folder and a year.",
    ),
    "window.sending": ("Bezig met versturen van {year}…", "Sending {year}…"),
    "window.not_configured": (
        "De online dienst ParaBench is niet ingesteld ({reason}).\n\n"
        "Wat te doen: vraag uw IT-beheerder de online dienst in te stellen met\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services "
        "--agb <AGB-code> --cert-dir <map met certificaten>\n"
        "Het certificaat downloadt u in het ParaBench-portaal (Profiel › Aanvullende "
        "praktijkgegevens › Certificaat uitgeven).",
        "The online service ParaBench is not set up ({reason}).\n\n"
        "What to do: ask your IT administrator to set up the online service with\n"
        "  parabench-client configure --url https://<server>/ParabenchUploader/services "
        "--agb <AGB code> --cert-dir <certificate folder>\n"
        "Download the certificate in the ParaBench portal (Profiel › Aanvullende "
        "praktijkgegevens › Certificaat uitgeven).",
    ),
    "window.no_display": (
        "Er kan geen venster worden geopend ({detail}). Gebruik de opdrachten, bv. "
        "parabench-client send.",
        "No window can be opened ({detail}). Use the commands, e.g. parabench-client send.",
    ),
    "window.result.ok": (
        "Gelukt: ParaBench heeft de gegevens ontvangen (zie hieronder).",
        "Done: ParaBench received the data (see below).",
    ),
    "window.result.not_configured": (
        "Niet verstuurd: de online dienst is niet (goed) ingesteld.",
        "Not sent: the online service is not (correctly) set up.",
    ),
    "window.result.bad_records": (
        "Niet verstuurd: de praktijkgegevens bevatten fouten (zie hieronder).",
        "Not sent: the practice records contain errors (see below).",
    ),
    "window.result.nothing": (
        "Niet verstuurd: er is voor dit jaar niets te versturen (zie hieronder).",
        "Not sent: there is nothing to send for this year (see below).",
    ),
    "window.result.certificate": (
        "Niet verstuurd: er is een probleem met het certificaat (zie hieronder).",
        "Not sent: there is a problem with the certificate (see below).",
    ),
    "window.result.refused": (
        "Niet verwerkt: ParaBench heeft de gegevens geweigerd (zie hieronder).",
        "Not processed: ParaBench refused the data (see below).",
    ),
    "window.result.unavailable": (
        "Niet verstuurd: ParaBench is niet bereikbaar. Probeer het later opnieuw.",
        "Not sent: ParaBench cannot be reached. Try again later.",
    ),
    "window.result.other": (
        "Niet gelukt (code {code}); zie hieronder.",
        "Did not succeed (code {code}); see below.",
    ),
    "meta.password": ("WACHTWOORD", "PASSWORD"),
    "help.version": ("het versienummer tonen en stoppen", "show the version number and stop"),
    "meta.file": ("BESTAND", "FILE"),
    "meta.folder": ("MAP", "FOLDER"),
    "meta.year": ("JAAR", "YEAR"),
    "meta.seconds": ("SECONDEN", "SECONDS"),
    "meta.import_number": ("importnummer", "import_number"),
    "help.url": (
        "https://<server>/ParabenchUploader/services",
        "https://<server>/ParabenchUploader/services",
    ),
    "help.agb": ("AGB-code van de praktijk (8 cijfers)", "the practice's AGB code (8 digits)"),
    "help.agb_override": (
        "AGB-code van de praktijk (anders uit de instellingen)",
        "the practice's AGB code (else from the configuration)",
    ),
    "help.cert_dir": ("map met certificaten (.pfx)", "folder with certificates (.pfx)"),
    "help.cert_fixed": (
        "vast certificaat (.pfx) in plaats van een map",
        "a fixed certificate (.pfx) instead of a folder",
    ),
    "help.password_file_store": (
        "bestand met het wachtwoord van het certificaat (alleen de plaats wordt opgeslagen)",
        "file holding the certificate's password (only its location is stored)",
    ),
    "help.server_ca": (
        "CA van een eigen of testserver (PEM)",
        "CA of a private or test server (PEM)",
    ),
    "help.machine": (
        "opslaan voor de hele computer (ook voor een serviceaccount; beheerrechten nodig)",
        "save for the whole computer (also for a service account; needs administrator rights)",
    ),
    "help.forget": (
        "het gekozen, vaste en geweigerde certificaat vergeten",
        "forget the chosen, fixed and refused certificates",
    ),
    "help.show": ("de instellingen tonen", "show the configuration"),
    "help.records": ("map met de CSV-bestanden", "folder with the CSV files"),
    "help.records_store": (
        "map waarin de praktijksoftware de CSV-bestanden zet (voor het venster)",
        "folder where the practice software writes the CSV files (for the window)",
    ),
    "help.year": (
        "kalenderjaar, 'vorig' of 'huidig' (herhaal voor meerdere jaren)",
        "calendar year, 'previous' or 'current' (repeat for several years)",
    ),
    "help.strict": ("stoppen bij foute regels (standaard)", "stop at bad lines (default)"),
    "help.lenient": (
        "exporteren zonder de foute regels (niet als meer dan de helft fout is)",
        "export without the bad lines (not when more than half are bad)",
    ),
    "help.format": (
        "formaatversie: 1.1 (standaard, met casemix en uitkomstmaten) of 1.0",
        "format version: 1.1 (default, with case mix and outcome measures) or 1.0",
    ),
    "help.year_closed": (
        "het boekjaar is afgesloten in de praktijksoftware",
        "the financial year is closed in the practice software",
    ),
    "help.out": (
        "map voor de exportbestanden (standaard: hier)",
        "folder for the export files (default: here)",
    ),
    "help.cert": (
        "certificaat (.pfx); anders automatisch uit de map",
        "certificate (.pfx); else chosen from the folder",
    ),
    "help.password": (
        "wachtwoord van het certificaat (liever --password-file of PARABENCH_CERT_PASSWORD)",
        "the certificate's password (prefer --password-file or PARABENCH_CERT_PASSWORD)",
    ),
    "help.password_file": (
        "bestand met het wachtwoord van het certificaat",
        "file holding the certificate's password",
    ),
    "help.wait": (
        "wachten tot de import klaar is (standaard 120 s)",
        "wait until the import is done (default 120 s)",
    ),
    "help.file": (
        "een eerder geschreven exportbestand versturen",
        "send an export file written before",
    ),
    "help.dry_run": (
        "alles controleren, ook bij ParaBench, maar niets laten opslaan",
        "check everything, at ParaBench too, but have nothing stored",
    ),
    "help.number": ("het nummer van de import", "the import's number"),
    "help.validate_file": ("het exportbestand (JSON)", "the export file (JSON)"),
    "help.online": (
        "ook laten controleren door de uploaddienst (certificaat en AGB-code; niets opgeslagen)",
        "also have the upload service check it (certificate and AGB code; nothing stored)",
    ),
    "help.synth_out": ("map voor de CSV-bestanden", "folder for the CSV files"),
    "help.year_from": ("eerste jaar", "first year"),
    "help.year_to": ("laatste jaar", "last year"),
    "help.seed": (
        "startwaarde van het toeval (zelfde waarde, zelfde praktijk)",
        "random seed (same seed, same practice)",
    ),
    "help.size": ("praktijkgrootte", "practice size"),
    "help.patients": ("patiënten per jaar", "patients per year"),
    "help.province": ("provinciecode, bv. GR, ZH, NB", "province code, e.g. GR, ZH, NB"),
}


# argparse's own words (Python 3.11–3.13), for the Dutch help; what is not here stays English.
ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "optional arguments": "opties",
    "show this help message and exit": "deze hulp tonen en stoppen",
    "show program's version number and exit": "het versienummer tonen en stoppen",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "expected one argument": "verwacht één waarde",
    "expected at most one argument": "verwacht hoogstens één waarde",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ongeldige keuze: %(value)r (kies uit %(choices)s)"
    ),
    "not allowed with argument %s": "niet samen met %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "dubbelzinnige optie: %(option)s kan %(matches)s zijn"
    ),
}


def localise_argparse() -> None:
    """Let argparse's own words (usage, options, errors) follow PARABENCH_LANG too.

    argparse looks up the module-level ``_`` each time it needs a word, so replacing it is
    enough; English needs no table.
    """
    import argparse
    import gettext

    if language() == "en":
        argparse._ = gettext.gettext
    else:
        argparse._ = lambda text: ARGPARSE_DUTCH.get(text, gettext.gettext(text))


def language() -> str:
    return "en" if os.environ.get("PARABENCH_LANG", "").lower().startswith("en") else "nl"


def t(key: str, **values) -> str:
    """The text for ``key`` in the chosen language, with ``values`` filled in."""
    dutch, english = MESSAGES[key]
    return (english if language() == "en" else dutch).format(**values)


# The exit code that ends the command when a message is shown as its final word (issue 14: every
# message with its exit code, in docs/export-client.md). Keys not listed are information lines.
EXIT_CODES: dict[str, int] = {
    "internal": 1,
    **dict.fromkeys(
        (
            "configure.bad_value",
            "configure.needs_url",
            "configure.path_missing",
            "configure.not_writable",
            "agb_missing",
            "agb_invalid",
            "year.invalid",
            "year.too_early",
            "bad_date",
            "records.missing",
            "send.needs_input",
            "export.file_unreadable",
            "log.unwritable",
            "synth.bad_years",
            "synth.bad_province",
            "window.no_display",
        ),
        2,
    ),
    "not_configured": 3,
    **dict.fromkeys(
        (
            "records.strict_stop",
            "records.file_stop",
            "records.lenient_too_many",
            "export.file_invalid",
            "validate.invalid",
        ),
        4,
    ),
    **dict.fromkeys(
        (
            "cert.not_found",
            "cert.unreadable",
            "cert.wrong_password",
            "cert.password_needed",
            "cert.password_file",
            "cert.no_key",
            "cert.expired",
            "cert.not_yet_valid",
            "cert.no_folder",
            "cert.folder_missing",
            "cert.none_found",
            "cert.several",
            "cert.forgotten_fixed",
            "send.tls_refused",
            "send.server_untrusted",
        ),
        6,
    ),
    **dict.fromkeys(("send.refused", "send.refused_request", "status.unknown"), 7),
    **dict.fromkeys(("send.unavailable", "send.not_tls", "send.not_parabench"), 8),
    "interrupted": 130,
}


def messages_table() -> str:
    """Every message as a Markdown table (key, exit code, Dutch, English) for the docs."""
    rows = ["| key | exit | Nederlands | English |", "|---|---|---|---|"]
    for key, (dutch, english) in MESSAGES.items():
        if key.startswith(("help.", "meta.", "command.")):
            continue
        code = EXIT_CODES.get(key, "")
        rows.append(f"| `{key}` | {code} | {_cell(dutch)} | {_cell(english)} |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("<", "&lt;").replace("|", "\\|").replace("\n", "<br>")


if __name__ == "__main__":
    # python -m parabench_client.messages: rewrite the message table in docs/export-client.md.
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "export-client.md"
    text = doc.read_text(encoding="utf-8")
    begin, end = "<!-- messages:begin -->\n", "<!-- messages:end -->"
    head, rest = text.split(begin)
    doc.write_text(head + begin + messages_table() + end + rest.split(end, 1)[1], encoding="utf-8")
    print(f"geschreven: {doc}")
