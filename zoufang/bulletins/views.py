"""Bulletin pages: the column (活动快报), one bulletin with its actions, the unit's and the
city office's list, writing and editing, and the files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from zoufang.campaigns.selectors import campaign_list, current_phase
from zoufang.core.errors import ConflictError
from zoufang.org.permissions import Perm, PermRequiredMixin, officer_of

from . import selectors, services
from .forms import ActionForm, BulletinForm, ColumnFilterForm, DigestForm, ManageFilterForm
from .models import Bulletin, BulletinAction, BulletinStatus
from .permissions import can_review, can_write, options_for, require_write

PAGE_SIZE = 20
TABS = (
    (selectors.Tab.NEWEST, gettext_lazy("Newest")),
    (selectors.Tab.WEEK, gettext_lazy("Hot this week")),
    (selectors.Tab.MONTH, gettext_lazy("Hot this month")),
)
SEEN_KEY = "bulletins_seen"
MAX_SEEN = 500


def get_bulletin_or_404(request: HttpRequest, pk: int) -> Bulletin:
    """A bulletin the user may read (published, or in scope), else 404."""
    try:
        return selectors.bulletin_get(user=request.user, pk=pk)
    except Bulletin.DoesNotExist as exc:
        raise Http404 from exc


def get_scoped_or_404(request: HttpRequest, pk: int) -> Bulletin:
    """A bulletin of the user's scope, whatever its state, else 404."""
    try:
        return Bulletin.objects.visible_to(request.user).select_related("unit").get(pk=pk)
    except Bulletin.DoesNotExist as exc:
        raise Http404 from exc


def count_view(request: HttpRequest, bulletin: Bulletin) -> None:
    """Count a read of a published bulletin, once per session and bulletin a day."""
    if not bulletin.is_published:
        return
    today = timezone.localdate().isoformat()
    seen = request.session.get(SEEN_KEY)
    if not isinstance(seen, dict) or seen.get("day") != today:
        seen = {"day": today, "ids": []}
    if bulletin.pk in seen["ids"]:
        return
    if services.bulletin_view_record(bulletin_id=bulletin.pk):
        seen["ids"] = [*seen["ids"], bulletin.pk][-MAX_SEEN:]
        request.session[SEEN_KEY] = seen
        bulletin.views += 1


def error_text(error: Exception) -> str:
    """A service error as one line."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return getattr(error, "message", "") or str(error) or _("Your role may not do this")


def detail_context(request: HttpRequest, bulletin: Bulletin, **extra: Any) -> dict[str, Any]:
    """What the bulletin page shows: text, files, related bulletins, the user's actions."""
    images, attachments = selectors.bulletin_files(bulletin)
    editable, actions = options_for(request.user, bulletin)
    return {
        "bulletin": bulletin,
        "images": images,
        "attachments": attachments,
        "editable": editable,
        "actions": actions,
        "related": selectors.related_bulletins(bulletin=bulletin) if bulletin.is_published else [],
        "action_form": ActionForm(initial={"version": bulletin.version}),
        **extra,
    }


class BulletinListView(PermRequiredMixin, TemplateView):
    """The column: adopted bulletins, newest or hot this week / month, search and filters."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "bulletins/bulletin_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ColumnFilterForm(self.request.GET or None)
        filters = form.to_filters()
        hot = filters.tab in (selectors.Tab.WEEK, selectors.Tab.MONTH) and not filters.q
        window = selectors.hot_window(filters.tab) if hot else None
        bulletins = selectors.column_list(filters=filters, window=window)
        page = Paginator(bulletins, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "filters": filters,
            "page": page,
            "window": window,
            "query": _query_without(self.request, "page"),
            "tab_query": _query_without(self.request, "page", "tab"),
            "tabs": TABS,
            "can_write": can_write(self.request.user),
            "can_review": can_review(self.request.user),
        }


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class BulletinDetailView(PermRequiredMixin, TemplateView):
    """One bulletin; reading a published one counts a view."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "bulletins/bulletin_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        bulletin = get_bulletin_or_404(self.request, kwargs["pk"])
        count_view(self.request, bulletin)
        return {**super().get_context_data(**kwargs), **detail_context(self.request, bulletin)}


class BulletinActView(PermRequiredMixin, View):
    """Submit, adopt or return (POST from the bulletin page): 403 for a role that may not,
    409 for a state that does not allow it."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "bulletins/bulletin_detail.html"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        bulletin = get_bulletin_or_404(request, pk)
        form = ActionForm(request.POST)
        if not form.is_valid():
            context = detail_context(request, bulletin, error=_("Unknown action"))
            return render(request, self.template_name, context, status=400)
        data = form.cleaned_data
        try:
            services.bulletin_transition(
                actor=request.user,
                bulletin_id=bulletin.pk,
                action=data["action"],
                comment=data["comment"],
                expected_version=data["version"],
            )
        except (ConflictError, ValidationError) as error:
            status = 409 if isinstance(error, ConflictError) else 400
            context = detail_context(request, bulletin, error=error_text(error), action_form=form)
            return render(request, self.template_name, context, status=status)
        messages.success(
            request, _("Done: %(action)s") % {"action": BulletinAction(data["action"]).label}
        )
        return redirect("bulletins:bulletin_detail", pk=pk)


class BulletinManageView(PermRequiredMixin, TemplateView):
    """The bulletins of the user's scope in every state; the city office starts on its
    review queue (submitted, oldest first)."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "bulletins/bulletin_manage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        params = self.request.GET.copy()
        if "status" not in params and can_review(user):
            params["status"] = BulletinStatus.SUBMITTED
        form = ManageFilterForm(params)
        status = form.cleaned_data["status"] if form.is_valid() else ""
        bulletins = selectors.manage_list(user=user, status=status)
        page = Paginator(bulletins, PAGE_SIZE * 2).get_page(self.request.GET.get("page"))
        counts = selectors.manage_counts(user=user)
        return {
            **super().get_context_data(**kwargs),
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in BulletinStatus.choices],
            "page": page,
            "query": f"status={status}",
            "can_write": can_write(user),
            "can_review": can_review(user),
        }


class BulletinFormMixin(PermRequiredMixin):
    """Writing: a role that writes bulletins (403 otherwise)."""

    required_perm = Perm.CAMPAIGN_VIEW

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            require_write(request.user)
        return super().dispatch(request, *args, **kwargs)


class BulletinCreateView(BulletinFormMixin, FormView):
    """Write a bulletin for a unit of the user's scope; save as a draft or submit."""

    template_name = "bulletins/bulletin_form.html"
    form_class = BulletinForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        officer = officer_of(self.request.user)
        phase = current_phase()
        campaign = phase.campaign if phase else campaign_list().first()
        return {
            "unit": officer.unit.code if officer else None,
            "campaign": campaign.slug if campaign else None,
        }

    def form_valid(self, form: BulletinForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_create(
                actor=self.request.user,
                campaign=data["campaign"],
                unit=data["unit"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                images=data["images"],
                attachments=data["attachments"],
                submit=data["submit_now"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _saved_message(bulletin))
        return redirect("bulletins:bulletin_detail", pk=bulletin.pk)


def _saved_message(bulletin: Bulletin) -> str:
    if bulletin.status == BulletinStatus.SUBMITTED:
        return _("Bulletin submitted to the city office")
    return _("Bulletin saved")


class BulletinUpdateView(BulletinFormMixin, FormView):
    """Edit a draft or returned bulletin (its unit's writers; an officer only their own)."""

    template_name = "bulletins/bulletin_form.html"
    form_class = BulletinForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated:
            require_write(request.user)  # the role first: 403
            self.bulletin = get_scoped_or_404(request, kwargs["pk"])  # then the scope: 404
            editable, _actions = options_for(request.user, self.bulletin)
            if not editable:
                if self.bulletin.status in (BulletinStatus.DRAFT, BulletinStatus.RETURNED):
                    raise PermissionDenied  # someone else's bulletin (an officer's)
                messages.warning(request, _("This bulletin can no longer be changed."))
                return redirect("bulletins:bulletin_detail", pk=self.bulletin.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        self.images, self.attachments = selectors.bulletin_files(self.bulletin)
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "images": self.images,
            "attachments": self.attachments,
        }

    def get_initial(self) -> dict[str, Any]:
        b = self.bulletin
        return {
            "campaign": b.campaign.slug,
            "unit": b.unit.code,
            "kind": b.kind,
            "title": b.title,
            "body": b.body,
            "version": b.version,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "bulletin": self.bulletin}

    def form_valid(self, form: BulletinForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_update(
                actor=self.request.user,
                bulletin_id=self.bulletin.pk,
                expected_version=data["version"],
                campaign=data["campaign"],
                unit=data["unit"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                add_images=data["images"],
                remove_images=data.get("remove_images") or [],
                add_attachments=data["attachments"],
                remove_attachments=data.get("remove_attachments") or [],
                submit=data["submit_now"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        except ConflictError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(self.request, _saved_message(bulletin))
        return redirect("bulletins:bulletin_detail", pk=bulletin.pk)


class _FileView(PermRequiredMixin, View):
    """A bulletin's stored file, for those who may read the bulletin."""

    required_perm = Perm.CAMPAIGN_VIEW

    def response(self, field_file: Any, content_type: str, **kwargs: Any) -> FileResponse:
        try:
            handle = field_file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        return FileResponse(handle, content_type=content_type, **kwargs)


class BulletinImageView(_FileView):
    """A bulletin's picture, shown inline."""

    def get(self, request: HttpRequest, pk: int, image_id: int) -> HttpResponseBase:
        bulletin = get_bulletin_or_404(request, pk)
        image = bulletin.images.filter(pk=image_id).first()
        if image is None:
            raise Http404
        return self.response(image.image, image.content_type)


class BulletinAttachmentView(_FileView):
    """A bulletin's attachment, downloaded under its original name."""

    def get(self, request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
        bulletin = get_bulletin_or_404(request, pk)
        attachment = bulletin.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise Http404
        return self.response(
            attachment.file,
            attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def digest_form(request: HttpRequest) -> DigestForm:
    """The digest's form from the query, else with the current campaign and the default
    week (`selectors.digest_default_period`)."""
    if request.GET:
        return DigestForm(request.GET)
    phase = current_phase()
    campaign = phase.campaign if phase else campaign_list().first()
    since, until = selectors.digest_default_period(campaign=campaign)
    return DigestForm(
        {
            "campaign": campaign.slug if campaign else "",
            "since": since.isoformat(),
            "until": until.isoformat(),
        }
    )


def digest_context(form: DigestForm) -> dict[str, Any]:
    """The digest page: the form, and for a valid period what the digest holds."""
    if not form.is_valid():
        return {"form": form, "bulletins": None, "query": ""}
    data = form.cleaned_data
    query = {
        "campaign": data["campaign"].slug,
        "since": data["since"].isoformat(),
        "until": data["until"].isoformat(),
    }
    return {
        "form": form,
        "bulletins": selectors.adopted_between(
            campaign=data["campaign"], since=data["since"], until=data["until"]
        ),
        "query": urlencode(query),
    }


class BulletinDigestView(PermRequiredMixin, TemplateView):
    """The city office's weekly digest: choose the week (or any days), see what it holds,
    download it as .docx."""

    required_perm = Perm.BULLETIN_REVIEW
    template_name = "bulletins/bulletin_digest.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **digest_context(digest_form(self.request))}


class BulletinDigestDownloadView(PermRequiredMixin, View):
    """The digest as .docx (audited); a wrong period shows the form again (400)."""

    required_perm = Perm.BULLETIN_REVIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        form = digest_form(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                content, _count = services.bulletin_digest_export(
                    actor=request.user,
                    campaign=data["campaign"],
                    since=data["since"],
                    until=data["until"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                response = HttpResponse(content, content_type=DOCX)
                name = f"活动快报_{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.docx"
                response["Content-Disposition"] = content_disposition_header(True, name) or ""
                return response
        context = digest_context(form)
        return render(request, BulletinDigestView.template_name, context, status=400)
