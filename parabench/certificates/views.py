"""Thin views over services.py: every certificate is fetched through the user's own practice."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parabench.certificates import enrolment, history, lookup, services
from parabench.certificates.models import ClientCertificate
from parabench.practices.access import practice_required

MAX_TOKEN_LENGTH = 64


def _actor(request) -> services.Actor:
    return services.Actor(user=request.user, ip_address=request.META.get("REMOTE_ADDR"))


def _refusal(request, error: services.CertificateError, status: int) -> HttpResponse:
    return render(
        request,
        "certificates/refused.html",
        {"code": error.code, "message": error.message},
        status=status,
    )


@never_cache
@practice_required
def details(request, practice):
    """Aanvullende praktijkgegevens: the Certificaten list and its actions."""
    now = timezone.now()
    warn_days = settings.CERTIFICATE_EXPIRY_WARNING_DAYS
    rows = []
    for certificate in practice.certificates.order_by("-number"):
        rows.append(
            {
                "certificate": certificate,
                "expired": certificate.is_expired(now),
                "expiring": not certificate.is_blocked
                and certificate.expires_within(warn_days, now),
                "days_left": (certificate.not_after - now).days,
                # Only a .pfx made here has a key to deliver; a requested one has only its PEM.
                "downloadable": certificate.origin == ClientCertificate.Origin.PFX
                and not certificate.is_blocked
                and not certificate.is_downloaded
                and not certificate.is_expired(now),
            }
        )
    return render(
        request,
        "certificates/details.html",
        {
            "practice": practice,
            "rows": rows,
            "issue_token": services.new_issue_token(),
            "can_issue": not practice.is_cancelled,
            "warn_days": warn_days,
            "nav": "profile",
        },
    )


@require_POST
@practice_required
def issue(request, practice):
    token = request.POST.get("issue_token", "")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        messages.error(
            request, _("Het formulier is verlopen. Klik nogmaals op “Certificaat uitgeven”.")
        )
        return redirect("certificates:details")
    try:
        certificate, _created = services.issue_certificate(
            practice, actor=_actor(request), issue_token=token
        )
    except services.CertificateError as error:
        messages.error(request, error.message)
        return redirect("certificates:details")
    # A double click shows the browser only the second answer; it must read as success too.
    messages.success(
        request,
        _(
            "Certificaat %(number)s is uitgegeven. Download het nu: de sleutel kan maar één keer "
            "worden gedownload."
        )
        % {"number": certificate.number},
    )
    return redirect("certificates:details")


@require_POST
@practice_required
def download(request, practice, pk):
    try:
        delivered = services.download_certificate(pk, practice=practice, actor=_actor(request))
    except ClientCertificate.DoesNotExist as exc:
        raise Http404 from exc
    except services.CertificateError as error:
        return _refusal(request, error, status=409)
    response = HttpResponse(delivered.pfx, content_type="application/x-pkcs12")
    response["Content-Disposition"] = f'attachment; filename="{delivered.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@practice_required
def block(request, practice, pk):
    """GET asks for confirmation; POST blocks for good."""
    certificate = get_object_or_404(ClientCertificate, pk=pk, practice=practice)
    if request.method == "POST":
        blocked = services.block_certificate(certificate, actor=_actor(request))
        if blocked:
            messages.success(
                request,
                _("Certificaat %(number)s is geblokkeerd.") % {"number": certificate.number},
            )
        else:
            messages.info(
                request,
                _("Certificaat %(number)s was al geblokkeerd.") % {"number": certificate.number},
            )
        return redirect("certificates:details")
    return render(
        request, "certificates/block_confirm.html", {"certificate": certificate, "nav": "profile"}
    )


@require_POST
@practice_required
def request_code(request, practice):
    """A one-time code for `parabench-client certificaat aanvragen`, shown once."""
    try:
        row, code = enrolment.create_request_code(practice, actor=_actor(request))
    except services.CertificateError as error:
        return _refusal(request, error, status=409)
    return render(
        request,
        "certificates/request_code.html",
        {"code": code, "expires_at": row.expires_at, "nav": "profile"},
    )


MAX_CSR_UPLOAD = 16 * 1024


@require_POST
@practice_required
def sign_csr(request, practice):
    """A CSR pasted or uploaded by the practice: signed for this practice, the PEM shown."""
    upload = request.FILES.get("csr_file")
    data = upload.read(MAX_CSR_UPLOAD + 1) if upload else request.POST.get("csr", "").encode()
    try:
        certificate, _created = enrolment.issue_from_csr(practice, data, actor=_actor(request))
    except services.CertificateError as error:
        return _refusal(request, error, status=422)
    return render(
        request,
        "certificates/signed.html",
        {"certificate": certificate, "nav": "profile"},
    )


@require_GET
@practice_required
def certificate_pem(request, practice, pk):
    """The public certificate only (never a key): for a CSR-issued one, to pair with its key."""
    certificate = get_object_or_404(ClientCertificate, pk=pk, practice=practice)
    response = HttpResponse(certificate.certificate_pem, content_type="application/x-pem-file")
    name = certificate.file_name.removesuffix(".pfx")
    response["Content-Disposition"] = f'attachment; filename="{name}.pem"'
    return response


@never_cache
@practice_required
def security(request, practice):
    """Beveiliging: what happened to the practice's certificates, and its recent logins."""
    return render(
        request,
        "certificates/security.html",
        {
            "practice": practice,
            "certificate_events": history.certificate_events(practice),
            "logins": history.recent_logins(practice),
            "two_factor_on": history.two_factor_status(practice),
            "nav": "profile",
        },
    )


@require_GET
def crl(request, format):
    """Public: a proxy fetches it without logging in. Always freshly signed from the database."""
    content_type = "application/pkix-crl" if format == "der" else "application/x-pem-file"
    response = HttpResponse(lookup.current_crl(format), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="parabench-crl.{format}"'
    response["Cache-Control"] = "max-age=300"
    return response


@require_GET
def ca_certificate(request):
    response = HttpResponse(lookup.ca_certificate_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="parabench-ca.pem"'
    return response
