"""CA rollover, real uploader: an old CA's certificate uploads and renews into the new CA."""

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from parabench.certificates import pki
from parabench.certificates.ca import write_ca_files
from parabench.certificates.models import ClientCertificate
from parabench_client.certrequest import csr_pem
from tests.certificates.factories import issue_certificate_for, write_tls_client_files
from tests.uploads.exports import export_bytes, make_export

pytestmark = pytest.mark.slow


@pytest.fixture
def rolled_over(settings, practice_a, tmp_path):
    """Issued under the first CA; then the settings name a new CA and keep the old one trusted."""
    old, pfx = issue_certificate_for(practice_a)
    old_cert, old_key = settings.CA_CERT_PATH, settings.CA_KEY_PATH
    new_dir = tmp_path / "ca-2029"
    write_ca_files(pki.create_ca("ParaBench CA 2029"), new_dir / "ca.pem", new_dir / "ca.key")
    settings.CA_CERT_PATH, settings.CA_KEY_PATH = new_dir / "ca.pem", new_dir / "ca.key"
    settings.CA_PREVIOUS_CERT_PATHS = [str(old_cert)]
    settings.CA_PREVIOUS_KEY_PATHS = [str(old_key)]
    return old, write_tls_client_files(pfx, tmp_path / "old")


def test_an_old_cas_certificate_uploads_and_renews_into_the_new_ca(
    rolled_over, uploader, practice_a, tmp_path, settings
):
    old, old_files = rolled_over
    body = export_bytes(make_export(practice_a.agb_code))
    # The uploader's own server certificate now comes from the new CA.
    verify = str(settings.CA_CERT_PATH)
    assert uploader.post(body, cert=tuple(map(str, old_files))).status_code == 202

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = csr_pem(key)
    renewed = requests.post(
        f"{uploader.base}/certificates/renewals",
        json={"csr": csr},
        cert=tuple(map(str, old_files)),
        verify=verify,
        timeout=30,
    )
    assert renewed.status_code == 201, renewed.text
    new = ClientCertificate.objects.get(renewed_from=old)
    assert "ParaBench CA 2029" in new.issuer
    assert pki.load_certificate(renewed.json()["certificate"]).issuer.rfc4514_string() == (
        new.issuer
    )
    new_cert, new_key = tmp_path / "new.pem", tmp_path / "new.key"
    new_cert.write_text(new.certificate_pem)
    new_key.write_bytes(pki.private_key_pem(key))
    again = export_bytes(make_export(practice_a.agb_code, seed=3))
    assert uploader.post(again, cert=(str(new_cert), str(new_key))).status_code == 202
