#!/bin/bash
# Latency of a redeem (201) and of a refused second redeem of the same key (409 KeyAlreadyAssigned),
# one request at a time, against a single node (Release build of ROOT/Silo, SQLite, production
# configuration) started by this script on PORT..PORT+2. Prints the median and p90 of N of each.
# usage: LoadTests/refusal-latency.sh ROOT PORT [N]   (build first: dotnet build -c Release ROOT/Silo)
ROOT=$1; PORT=$2; N=${3:-100}
D=$(mktemp -d /tmp/refusal-XXXX)
VK=bench-vendor-key-0123456789abcdef
cd $ROOT/Silo/bin/Release/net10.0
ASPNETCORE_ENVIRONMENT=Production urls=http://127.0.0.1:$PORT Storage__Provider=Sqlite Storage__DataDirectory=$D Orleans__SiloPort=$((PORT+1)) Orleans__GatewayPort=$((PORT+2)) Licensing__VendorApiKey=$VK Logging__LogLevel__Default=Warning ./OrleansLicensing.Silo > $D/node.log 2>&1 &
NODE=$!
B=http://127.0.0.1:$PORT; J='content-type: application/json'; V=$VK
for i in $(seq 1 120); do curl -sf $B/readyz >/dev/null && break; sleep 0.5; done
E="u$RANDOM@example.com"
curl -s -XPOST $B/api/v1/accounts -H "$J" -d "{\"email\":\"$E\",\"password\":\"correct horse\",\"displayName\":\"Ann\",\"language\":\"en\"}" >/dev/null
A=$(curl -s $B/api/v1/vendor/mail/$E -H "authorization: Bearer $V" | jq -r '.[0].body' | grep -oE '[0-9A-Z]{4}(-[0-9A-Z]{4}){3}')
curl -s -XPOST $B/api/v1/accounts/activate -H "$J" -d "{\"email\":\"$E\",\"code\":\"$A\"}" >/dev/null
T=$(curl -s -XPOST $B/api/v1/auth/token -H "$J" -d "{\"email\":\"$E\",\"password\":\"correct horse\"}" | jq -r .accessToken)
read C P < <(curl -s -XPOST $B/api/v1/companies -H "authorization: Bearer $T" -H "$J" -d '{"name":"Acme"}' | jq -r '"\(.companyId) \(.defaultProjectId)"')
P2=$(curl -s -XPOST $B/api/v1/companies/$C/projects -H "authorization: Bearer $T" -H "$J" -d '{"name":"Two"}' | jq -r .projectId)
ok=(); no=()
for i in $(seq 1 $N); do
  K=$(curl -s -XPOST $B/api/v1/vendor/activation-keys -H "authorization: Bearer $V" -H "$J" -d '{"licenses":{"PBX-Port8*20":1},"orderNumber":"SO-1"}' | jq -r .key)
  ok+=($(curl -s -o /dev/null -w '%{http_code}:%{time_total}' -XPOST $B/api/v1/companies/$C/projects/$P/activations -H "authorization: Bearer $T" -H "$J" -d "{\"key\":\"$K\"}"))
  no+=($(curl -s -o /dev/null -w '%{http_code}:%{time_total}' -XPOST $B/api/v1/companies/$C/projects/$P2/activations -H "authorization: Bearer $T" -H "$J" -d "{\"key\":\"$K\"}"))
done
kill $NODE; wait $NODE 2>/dev/null
stat() { tr ' ' '\n' | awk -F: '{print $2*1000, $1}' | sort -n | awk '{v[NR]=$1; c[$2]++} END {printf "median %.1f ms p90 %.1f ms statuses", v[int(NR/2)+1], v[int(NR*0.9)]; for (k in c) printf " %s×%d", k, c[k]; print ""}'; }
echo "$ROOT redeem    $(echo ${ok[@]} | stat)"
echo "$ROOT refusal   $(echo ${no[@]} | stat)"
rm -rf $D
