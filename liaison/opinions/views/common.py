"""What the opinion pages share: paging, the client hash, the opinion's suggestions, serving a photo."""

from django.http import FileResponse, Http404

from .. import services
from ..models import Photo

PAGE_SIZE = 50


def _client(request) -> str:
    return services.client_hash(request.META.get("REMOTE_ADDR", ""))


def _suggestions_for(opinion):
    from liaison.suggestions.selectors import suggestions_for_opinion

    return list(suggestions_for_opinion(opinion))


def _photo_response(opinion, pk):
    photo = Photo.objects.filter(opinion=opinion, pk=pk).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
