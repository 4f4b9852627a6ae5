"""The acceptance CA ("ParaBench Acceptatie CA"): certificates for software vendors.

A vendor tests its export against the validation endpoints before a practice goes live. Its
certificate is issued by a second CA, on the vendor's own CSR (the key stays with the vendor),
from the back office. lookup.identify_practice refuses it on every production path
(``certificate_acceptance_only``), so nothing a vendor sends can reach the statistics;
lookup.identify_for_validation accepts it.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parabench.certificates import pki
from parabench.certificates.ca import get_acceptance_ca
from parabench.certificates.enrolment import check_csr
from parabench.certificates.models import VendorCertificate
from parabench.certificates.services import Actor, CertificateError

VENDOR_VALIDITY_DAYS = 365


def vendor_subject(vendor: str) -> x509.Name:
    vendor = vendor.strip()[:40]
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, vendor),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Acceptatie"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{vendor} (acceptatie)"),
        ]
    )


def issue_vendor_certificate(
    vendor: str, csr_data: bytes | str, *, email: str = "", actor: Actor
) -> VendorCertificate:
    """Sign a vendor's CSR with the acceptance CA (same key checks as for practices)."""
    csr = check_csr(csr_data)
    ca = get_acceptance_ca()
    if ca is None:
        raise CertificateError(
            "acceptance_ca_missing",
            _(
                "Er is geen acceptatie-CA ingesteld (ACCEPTANCE_CA_CERT_PATH en "
                "ACCEPTANCE_CA_KEY_PATH). Zie docs/certificates.md."
            ),
        )
    certificate = pki.sign_csr(
        ca, csr, subject=vendor_subject(vendor), validity_days=VENDOR_VALIDITY_DAYS
    )
    with transaction.atomic():
        return VendorCertificate.objects.create(
            vendor=vendor.strip()[:64],
            email=email,
            serial_hex=pki.serial_hex(certificate),
            issuer=ca.certificate.subject.rfc4514_string(),
            fingerprint_sha256=pki.fingerprint(certificate),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            certificate_pem=pki.certificate_pem(certificate).decode("ascii"),
            issued_by=actor.user if getattr(actor.user, "pk", None) else None,
        )


def block_vendor_certificate(certificate: VendorCertificate) -> bool:
    with transaction.atomic():
        locked = VendorCertificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_blocked:
            return False
        locked.blocked_at = timezone.now()
        locked.save(update_fields=["blocked_at"])
    return True
