"""Route Planner: great-circle distances between cities (or "lat, lng" points), drawn on the app's
offline map as a route that follows the curve of the Earth, with a table of legs and a chart.
Optionally reorders the stops into a shorter tour (nearest neighbour, then 2-opt). Pure standard
library on the Pixie SDK."""

from __future__ import annotations

import math
import sys
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
EARTH_KM = 6371.0088  # mean Earth radius (IUGG)
KM_PER_MILE = 1.609344
CITIES = {
    "Amsterdam": (52.3676, 4.9041), "Athens": (37.9838, 23.7275), "Auckland": (-36.8485, 174.7633),
    "Bangkok": (13.7563, 100.5018), "Barcelona": (41.3874, 2.1686), "Beijing": (39.9042, 116.4074),
    "Berlin": (52.52, 13.405), "Buenos Aires": (-34.6037, -58.3816), "Cairo": (30.0444, 31.2357),
    "Cape Town": (-33.9249, 18.4241), "Chicago": (41.8781, -87.6298), "Copenhagen": (55.6761, 12.5683),
    "Dubai": (25.2048, 55.2708), "Dublin": (53.3498, -6.2603), "Edinburgh": (55.9533, -3.1883),
    "Hong Kong": (22.3193, 114.1694), "Istanbul": (41.0082, 28.9784), "Lisbon": (38.7223, -9.1393),
    "London": (51.5072, -0.1276), "Los Angeles": (34.0522, -118.2437), "Madrid": (40.4168, -3.7038),
    "Mexico City": (19.4326, -99.1332), "Milan": (45.4642, 9.19), "Montreal": (45.5019, -73.5674),
    "Mumbai": (19.076, 72.8777), "Nairobi": (-1.2921, 36.8219), "New York": (40.7128, -74.006),
    "Oslo": (59.9139, 10.7522), "Paris": (48.8566, 2.3522), "Prague": (50.0755, 14.4378),
    "Reykjavik": (64.1466, -21.9426), "Rio de Janeiro": (-22.9068, -43.1729), "Rome": (41.9028, 12.4964),
    "San Francisco": (37.7749, -122.4194), "Santiago": (-33.4489, -70.6693), "Seoul": (37.5665, 126.978),
    "Singapore": (1.3521, 103.8198), "Stockholm": (59.3293, 18.0686), "Sydney": (-33.8688, 151.2093),
    "Tokyo": (35.6762, 139.6503), "Toronto": (43.6532, -79.3832), "Vancouver": (49.2827, -123.1207),
    "Vienna": (48.2082, 16.3738), "Warsaw": (52.2297, 21.0122), "Zurich": (47.3769, 8.5417),
}
_LOWER = {name.lower(): name for name in CITIES}


def locate(text: str) -> tuple[str, float, float]:
    """A known city name (any case) or "lat, lng"."""
    t = str(text).strip()
    if t.lower() in _LOWER:
        name = _LOWER[t.lower()]
        return (name, *CITIES[name])
    parts = [p for p in t.replace(";", ",").split(",") if p.strip()]
    if len(parts) == 2:
        try:
            lat, lng = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if -90 <= lat <= 90 and -180 <= lng <= 180:
                return (f"{lat:.4f}, {lng:.4f}", lat, lng)
            raise sdk.ToolError(f"'{t}' is off the globe (latitude −90…90, longitude −180…180)")
    close = [n for n in CITIES if n.lower().startswith(t.lower()[:3])] if t else []
    hint = f" — did you mean {', '.join(close[:3])}?" if close else " — use a listed city or “lat, lng”"
    raise sdk.ToolError(f"unknown place '{t}'{hint}")


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine great-circle distance."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    y = math.sin(lo2 - lo1) * math.cos(la2)
    x = math.cos(la1) * math.sin(la2) - math.sin(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def compass(deg: float) -> str:
    return ["N", "NE", "E", "SE", "S", "SW", "W", "NW"][round(deg / 45) % 8]


def arc(a: tuple[float, float], b: tuple[float, float], step_km: float = 150.0) -> list[tuple[float, float]]:
    """Points along the great circle from a to b (excluding b), so long legs curve on the map."""
    d = distance_km(a, b) / EARTH_KM
    n = max(1, int(d * EARTH_KM / step_km))
    if d < 1e-9:
        return [a]
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    out = []
    for i in range(n):
        f = i / n
        s1, s2 = math.sin((1 - f) * d) / math.sin(d), math.sin(f * d) / math.sin(d)
        x = s1 * math.cos(la1) * math.cos(lo1) + s2 * math.cos(la2) * math.cos(lo2)
        y = s1 * math.cos(la1) * math.sin(lo1) + s2 * math.cos(la2) * math.sin(lo2)
        z = s1 * math.sin(la1) + s2 * math.sin(la2)
        out.append((math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))))
    return out


def tour_length(order: list[int], pts: list[tuple[float, float]], closed: bool) -> float:
    legs = list(zip(order, order[1:])) + ([(order[-1], order[0])] if closed else [])
    return sum(distance_km(pts[i], pts[j]) for i, j in legs)


def shorten(pts: list[tuple[float, float]], closed: bool) -> list[int]:
    """Keep the first stop; nearest neighbour, then 2-opt until no swap helps (fine for ≤ 40)."""
    left, order = set(range(1, len(pts))), [0]
    while left:
        nxt = min(left, key=lambda j: distance_km(pts[order[-1]], pts[j]))
        order.append(nxt)
        left.remove(nxt)
    improved = True
    while improved:
        improved = False
        for i in range(1, len(order) - 1):
            for j in range(i + 1, len(order)):
                cand = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
                if tour_length(cand, pts, closed) < tour_length(order, pts, closed) - 1e-9:
                    order, improved = cand, True
    return order


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    raw = inputs.get("stops") or []
    if isinstance(raw, str):
        raw = [s for s in raw.replace("\n", "|").split("|") if s.strip()]
    stops = [locate(s) for s in raw]
    if len(stops) < 2:
        raise sdk.ToolError("give at least two stops")
    if len(stops) > 40:
        raise sdk.ToolError("40 stops at most")
    closed = bool(inputs.get("round_trip"))
    miles = inputs.get("unit") == "mi"
    unit = "mi" if miles else "km"
    pts = [(lat, lng) for _, lat, lng in stops]
    order = list(range(len(stops)))
    before = tour_length(order, pts, closed)
    if inputs.get("optimise") and len(stops) > 2:
        order = shorten(pts, closed)
    seq = [stops[i] for i in order] + ([stops[order[0]]] if closed else [])

    def conv(km: float) -> float:
        return round(km / KM_PER_MILE if miles else km, 1)

    rows, path, total, hours = [], [], 0.0, 0.0
    for (n1, la1, lo1), (n2, la2, lo2) in zip(seq, seq[1:]):
        km = distance_km((la1, lo1), (la2, lo2))
        total += km
        hours += km / 800 + 0.5
        b = bearing((la1, lo1), (la2, lo2))
        rows.append({"from": n1, "to": n2, "distance": conv(km), "bearing": f"{b:.0f}° {compass(b)}",
                     "cumulative": conv(total), "flight": f"{km / 800 + 0.5:.1f} h"})
        path.extend(arc((la1, lo1), (la2, lo2)))
    path.append((seq[-1][1], seq[-1][2]))
    longest = max(rows, key=lambda r: r["distance"])
    summary = {"Stops": len(stops), "Total distance": f"{conv(total):,.1f} {unit}",
               "Longest leg": f"{longest['from']} → {longest['to']} ({longest['distance']:,.1f} {unit})",
               "Flying time": f"about {hours:.1f} h (800 km/h + 30 min per leg)",
               "Round trip": "yes" if closed else "no"}
    if inputs.get("optimise") and len(stops) > 2:
        saved = before - total
        summary["Saved by reordering"] = f"{conv(saved):,.1f} {unit} ({saved / before:.0%})" if saved > 0.05 \
            else "nothing: your order was already the shortest found"
    return {
        "summary": {"pairs": summary},
        "route": {"points": [{"lat": round(la, 5), "lng": round(lo, 5)} for la, lo in path]},
        "stops_map": {"points": [{"lat": lat, "lng": lng, "label": f"{i}. {name}"}
                                 for i, (name, lat, lng) in enumerate(seq[:len(stops)], 1)]},
        "legs": {"rows": rows},
        "legs_chart": {"x": [f"{r['from']} → {r['to']}" for r in rows],
                       "series": [{"name": f"Distance ({unit})", "y": [r["distance"] for r in rows]}]},
    }


@tool.autocomplete("cities")
def cities(q: str) -> list[dict]:
    return [{"value": n, "label": n} for n in CITIES if q.lower() in n.lower()][:20]


if __name__ == "__main__":
    tool.serve()
