#!/bin/sh
# The write API with personal tokens, end to end: a deputy logs a doorstep visit with the opinion heard there,
# drafts a suggestion on it and submits it; the county staff accept it (立案) and assign it to a handling unit.
# The README shows this session; tests/api/test_api_example.py runs it against a live server.
#
#   BASE=http://127.0.0.1:8000 DEPUTY_TOKEN=lzt_… STAFF_TOKEN=lzt_… sh scripts/api-example.sh
#
# Tokens: sign in as the deputy (demo account `deputy`) and as the county staff (`shitai_staff`), open
# /accounts/tokens/ and create one each (shown once). STATION and UNIT default to the demo's 缘溪村 station and
# 石台县住房和城乡建设局. Every POST carries its own Idempotency-Key: sending it again returns the first answer.
set -eu
BASE=${BASE:-http://127.0.0.1:8000}
STATION=${STATION:-ST341722100200}
UNIT=${UNIT:-U341722-ZJJ}
API="$BASE/api/v1"

post() { # post TOKEN PATH JSON → the answer's body (fails on any status other than 2xx)
  curl -sS --fail-with-body -X POST "$API$2" \
    -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
    -H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4().hex)')" \
    -d "$3"
}
field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# 1. The deputy logs a visit and the opinion heard at the door.
visit=$(post "$DEPUTY_TOKEN" /visits '{"station": "'"$STATION"'", "kind": "door", "date": "'"$(date +%F)"'",
  "place": "缘溪村五组", "residents_met": "五组村民 6 人",
  "opinions": [{"content": "五组到村小学的路没有路灯，冬天孩子放学天已经黑了", "category": "城乡建设"}]}')
opinion=$(echo "$visit" | field '["opinions"][0]["code"]')
echo "visit $(echo "$visit" | field '["code"]'), opinion $opinion"

# 2. The deputy drafts a suggestion and submits it.
draft=$(post "$DEPUTY_TOKEN" /suggestions '{"title": "关于在缘溪村五组至村小学路段安装路灯的建议",
  "cause": "该路段约 800 米，没有路灯，学生冬季放学时天色已黑。", "proposals": "请县住建局将该路段纳入今年农村路灯建设计划。",
  "category": "城乡建设"}')
code=$(echo "$draft" | field '["code"]')
post "$DEPUTY_TOKEN" "/suggestions/$code/submit" '{}' | field '["state_label"]'

# 3. The county staff accept it (立案) and assign it to the handling unit.
post "$STAFF_TOKEN" "/suggestions/$code/accept" '{"note": ""}' | field '["state_label"]'
post "$STAFF_TOKEN" "/suggestions/$code/assign" '{"lead": "'"$UNIT"'"}' >/dev/null

# 4. Where it stands now, as the deputy sees it.
curl -sS --fail-with-body "$API/suggestions/$code" -H "Authorization: Bearer $DEPUTY_TOKEN" | field '["state_label"]'
echo "suggestion $code"
