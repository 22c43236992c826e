# A point mass with quadratic drag (semi-implicit Euler) thrown at a wall: if it passes below the top of the wall it
# stops there and falls (range = wall distance); otherwise it flies on until it lands.
# Input: key = value lines (case.ini). Output: result.json with the range, how far beyond the wall it landed (0 when
# it fell short or hit the wall) and whether it cleared the wall.
BEGIN { FS = "=" }
/^[ \t]*#/ { next }
NF == 2 { gsub(/[ \t]/, "", $1); gsub(/[ \t]/, "", $2); p[$1] = $2 + 0 }
END {
    pi = atan2(0, -1)
    a = p["angle_deg"] * pi / 180
    vx = p["speed"] * cos(a); vy = p["speed"] * sin(a)
    x = 0; y = 0; t = 0; k = p["drag"]; g = p["gravity"]; dt = p["dt"]
    wall = p["wall_distance"]; height = p["wall_height"]; cleared = 1
    for (step = 0; step < 1000000; step++) {
        v = sqrt(vx * vx + vy * vy)
        vx -= k * v * vx * dt
        vy -= (g + k * v * vy) * dt
        px = x; py = y
        x += vx * dt; y += vy * dt; t += dt
        if (px < wall && x >= wall) {
            # Height where the path crosses the wall's plane, interpolated between the two steps.
            at = py + (y - py) * (wall - px) / (x - px)
            if (at < height) { cleared = 0; land = wall; break }
        }
        if (y < 0) { f = py / (py - y); land = px + f * (x - px); break }
    }
    beyond = cleared && land > wall ? land - wall : 0
    printf "{\"range\": %.6f, \"beyond\": %.6f, \"cleared\": %d}\n", land, beyond, cleared > "result.json"
}
