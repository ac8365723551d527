"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML by the resource's suffix, for 12345 hotlines and
provincial 数字人大 platforms. Thin over the opinion loop: selectors.py reads, services.py writes, views.py shapes
the input, formats.py renders (errors as the spec's list of {code, description}).

Resources: discovery, services, services/{service_code}, requests (GET and form-encoded POST),
requests/{service_request_id}. Tokens (GET tokens/{token}) are not served: a request is registered at once and
its service_request_id is in the POST's answer, so the spec's optional token is never needed.

Decisions:
- **Services** are the top-level active categories (org.Category); the service code is the category's Chinese
  name, the identifier the v1 API uses too (categories have no other public code). Keywords are the
  sub-categories, group "社情民意", type realtime.
- **jurisdiction_id** is a division code (行政区划代码): it narrows the station list of a service definition and
  the requests listed; it must lie within the api_key's regions. Unknown: 404.
- **api_key** is an integration key (admin-made, a service user who is staff of one region) allowed
  "open311:write" for POST and "open311:read" for reading requests; a personal token works as its owner.
  Sent as the api_key parameter (or `Authorization: Bearer`). Missing or invalid: 403, as the spec says. Discovery,
  services and service definitions are public; reading requests needs a key (they are residents' words).
- **Routing** (the service definition's attributes): attribute[station], a station code of the key's region
  (optional singlevaluelist of the jurisdiction's active stations); else address_id, a village's division code;
  else the village (村/社区) named in address_string ("石台县仁里镇缘溪村村口" → 缘溪村's station); else the active
  station of the key's regions nearest to lat/long (haversine), if one is within 15 km (Station.latitude/longitude;
  the demo places its stations around their township). Otherwise 400 saying what to send. attribute[channel] (optional) is the
  opinion's channel, phone by default (the 12345 hotline's).
- **POST** registers through liaison.opinions.services.register_opinion acting as the key's user: description →
  content (with a 【位置】 line holding address_string and lat/long, which have no field), last_name+first_name →
  the resident's name, phone → the resident's phone; email, device_id, account_id are ignored; media_url is not
  fetched (no outbound requests to a client's URL) and the answer's service_notice says so. The answer is
  [{service_request_id: the opinion's tracking code, service_notice, account_id: null}], 201 (200 for a retry).
- **Idempotency**: an optional Idempotency-Key header, or the same description and phone at the same station by
  the same key within 10 minutes (services.py).
- **Reads**: opinions_visible_to(the key's user), so only the key's region; another region's request is a 404 and
  never listed. Defaults: the last 90 days, at most 1,000 requests, newest first. status is open, or closed once
  the resident was told the outcome (reported back) or the item was closed. status_notes is the latest public step
  in Chinese as the resident's status page says it; agency_responsible the referred unit, the units handling the
  suggestion it fed, the village committee, or the station. No response ever carries a resident's name, phone
  or query password (GeoReport's read has no such fields, and we add none).
"""
