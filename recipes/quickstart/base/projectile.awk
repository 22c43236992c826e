# Integrates a point mass with quadratic drag (semi-implicit Euler) until it lands.
# Input: key = value lines (case.ini). Output: CSV trajectory on stdout, summary in result.json.
BEGIN { FS = "=" }
/^[ \t]*#/ { next }
NF == 2 { gsub(/[ \t]/, "", $1); gsub(/[ \t]/, "", $2); p[$1] = $2 + 0 }
END {
    pi = atan2(0, -1)
    a = p["angle_deg"] * pi / 180
    vx = p["speed"] * cos(a); vy = p["speed"] * sin(a)
    x = 0; y = 0; t = 0; top = 0; k = p["drag"]; g = p["gravity"]; dt = p["dt"]
    print "t,x,y"
    for (step = 0; step < 1000000; step++) {
        if (step % 50 == 0) printf "%.4f,%.6f,%.6f\n", t, x, y
        v = sqrt(vx * vx + vy * vy)
        vx -= k * v * vx * dt
        vy -= (g + k * v * vy) * dt
        px = x; py = y
        x += vx * dt; y += vy * dt; t += dt
        if (y > top) top = y
        if (y < 0) break
    }
    # Interpolate the landing point between the last two steps.
    f = py / (py - y); land = px + f * (x - px); tl = t - dt + f * dt
    printf "%.4f,%.6f,%.6f\n", tl, land, 0
    printf "{\"range\": %.6f, \"max_height\": %.6f, \"flight_time\": %.6f}\n", land, top, tl > "result.json"
}
