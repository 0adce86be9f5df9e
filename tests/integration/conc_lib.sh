# tests/integration/conc_lib.sh: shared set-up for the concurrency tests
# (sourced after lib.sh; not a test itself). A plan p1 with one theme,
# localities north/south/east with a locality user each, and two actions
# per locality: N-1 N-2 (north), S-1 S-2 (south), E-1 E-2 (east), and a
# county-wide C-1 assigned to north.
conc_setup() {
  login admin "$ADMIN_PW"
  for l in north south east; do as admin locality add "$l" "${l^}"; check "locality $l" test "$RC" -eq 0; done
  as admin plan add p1 "North improvement plan"; check "plan add" test "$RC" -eq 0
  as admin theme add --plan p1 t1 "Practice"; check "theme add" test "$RC" -eq 0
  local l p
  for l in north south east; do
    p="${l:0:1}"; p="${p^^}"
    for i in 1 2; do
      as admin action add --plan p1 --theme t1 "$p-$i" "Action $p-$i" --locality "$l"
      check "action add $p-$i" test "$RC" -eq 0
    done
    add_user "loc_$l" locality "Pw-$l-12345678" "$l"
    login "loc_$l" "Pw-$l-12345678"
  done
  as admin action add --plan p1 --theme t1 C-1 "County-wide action" --assign-to north
  check "action add C-1" test "$RC" -eq 0
}

# version REF: print the action's current version.
version() { as admin --json action show "$1" --plan p1; json_get 'j["version"]'; }

# relogin: tokens are saved per host:port, so log everyone in again after
# a restart (which picks a new port).
relogin() {
  login admin "$ADMIN_PW"
  local l
  for l in north south east; do login "loc_$l" "Pw-$l-12345678"; done
}
