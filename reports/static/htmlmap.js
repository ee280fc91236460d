/* healthplan map.html: draws the embedded JSON (#hp-data) with Leaflet. No network access: no tiles unless the
   report asked for them and the reader switches them on. Exposes window.healthplan for tests and scripting. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("hp-data").textContent);
  var T = D.ui;
  var EN = D.lang === "en";
  var LP = EN ? " (" : "（", RP = EN ? ")" : "）", COLON = EN ? ": " : "：";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtInt(v) {
    return Number(v).toLocaleString(D.lang === "en" ? "en-US" : "zh-CN", {maximumFractionDigits: 0});
  }
  function fmtNum(v) {
    return Number(v).toLocaleString(D.lang === "en" ? "en-US" : "zh-CN", {maximumFractionDigits: 2});
  }
  function pct(v) { return v === null || v === undefined ? "–" : (100 * v).toFixed(1) + "%"; }
  function classColour(v) {
    if (v === null || v === undefined || isNaN(v)) return D.noDataColour;
    for (var i = D.classes.length - 1; i >= 0; i--) { if (v >= D.classes[i].min) return D.classes[i].colour; }
    return D.classes[0].colour;
  }
  function svgIcon(itemKind, colour, isNew, id, dx, no) {
    var s = D.symbols[itemKind];
    var size = isNew ? 22 : 16;
    var fill = isNew ? colour : "#ffffff";
    var stroke = isNew ? "#111111" : colour;
    var sw = isNew ? 1.4 : 2.2;
    var html = '<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size +
      '" viewBox="0 0 20 20"' + (id ? ' data-item="' + id.replace(/"/g, "&quot;") + '"' : "") +
      '><polygon points="' + s.points + '" fill="' + fill + '" stroke="' + stroke + '" stroke-width="' + sw +
      '" stroke-linejoin="round"/></svg>';
    // A new project carries its number (序号) of the project list, as on the print maps.
    if (no !== undefined && no !== null) html += '<span class="hp-no" style="border-color:' + colour + '">' + no + "</span>";
    return L.divIcon({html: html, className: "hp-icon " + (isNew ? "hp-new" : "hp-existing") + " hp-kind-" + itemKind,
                      iconSize: [size, size], iconAnchor: [size / 2 - (dx || 0), size / 2],
                      popupAnchor: [0, -size / 2]});
  }
  function row(table, key, value) {
    var tr = el("tr");
    tr.appendChild(el("th", null, key));
    tr.appendChild(el("td", null, value));
    table.appendChild(tr);
  }

  var map = L.map("hp-map", {zoomSnap: 0.25, preferCanvas: false, attributionControl: false});
  map.fitBounds(D.bounds, {padding: [12, 12]});
  L.control.scale({metric: true, imperial: false, position: "bottomleft"}).addTo(map);

  // ---- township choropleths: one base layer per metric and period
  var baseLayers = {};
  var labelLayer = L.layerGroup();
  function townshipLayer(metric, period) {
    var idx = period === "before" ? 0 : 1;
    return L.geoJSON(D.townships, {
      style: function (f) {
        var c = f.properties.cov[metric.key];
        return {color: "#555555", weight: 1, fillColor: classColour(c ? c[idx] : null), fillOpacity: 0.75};
      },
      onEachFeature: function (f, layer) {
        var box = el("div", "hp-popup");
        box.appendChild(el("h3", null, f.properties.name));
        var t = el("table");
        row(t, T.population, fmtInt(f.properties.population));
        D.metrics.forEach(function (m) {
          var c = f.properties.cov[m.key] || [null, null];
          row(t, m.name, T.before + " " + pct(c[0]) + " → " + T.after + " " + pct(c[1]));
        });
        box.appendChild(t);
        layer.bindPopup(box, {maxWidth: 360});
      }
    });
  }
  D.metrics.forEach(function (m) {
    baseLayers[T.base_heading + COLON + m.name + LP + T.after + RP] = townshipLayer(m, "after");
  });
  var first = D.metrics[0];
  baseLayers[T.base_heading + COLON + first.name + LP + T.before + RP] = townshipLayer(first, "before");
  var baseNames = Object.keys(baseLayers);
  baseLayers[baseNames[0]].addTo(map);

  D.townships.features.forEach(function (f) {
    var c = L.geoJSON(f).getBounds().getCenter();
    if (f.properties.label_at) c = L.latLng(f.properties.label_at[1], f.properties.label_at[0]);
    labelLayer.addLayer(L.marker(c, {interactive: false, keyboard: false,
      icon: L.divIcon({className: "hp-township-label", html: "<span>" + el("span", null, f.properties.name).innerHTML +
        "</span>", iconSize: null})}));
  });

  // ---- facilities: existing (hollow) and new (filled) per kind; villages still uncovered
  // New items of different kinds at one site sit side by side (pixels), so that each can be clicked.
  var order = Object.keys(D.symbols);
  var atSite = {};
  D.projects.forEach(function (p) {
    var l = atSite[p.site] = atSite[p.site] || [];
    if (l.indexOf(p.kind) < 0) l.push(p.kind);
  });
  Object.keys(atSite).forEach(function (s) {
    atSite[s].sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
  });
  function shift(site, kind) {
    var l = atSite[site] || [kind];
    return (l.indexOf(kind) - (l.length - 1) / 2) * 20;
  }
  var overlays = {};
  var markers = {};
  var kindByItem = {};
  D.kinds.forEach(function (k) { k.itemKinds.forEach(function (ik) { kindByItem[ik] = k; }); });
  D.kinds.forEach(function (k) {
    var existing = L.layerGroup();
    D.existing.forEach(function (s) {
      k.itemKinds.forEach(function (ik) {
        if (s.kinds.indexOf(ik) < 0) return;
        var dx = (s.kinds.indexOf(ik) - (s.kinds.length - 1) / 2) * 14;  // side by side, each clickable
        var m = L.marker([s.lat, s.lon], {icon: svgIcon(ik, k.colour, false, null, dx), title: s.name,
                                          zIndexOffset: 0});
        var box = el("div", "hp-popup");
        box.appendChild(el("h3", null, s.name));
        var t = el("table");
        row(t, T.level, s.level);
        row(t, T.stock, s.stock[ik] || D.symbols[ik].name);
        box.appendChild(t);
        m.bindPopup(box, {maxWidth: 360});
        existing.addLayer(m);
      });
    });
    var fresh = L.layerGroup();
    D.projects.forEach(function (p) {
      if (p.mapKind !== k.key) return;
      var m = L.marker([p.lat, p.lon], {icon: svgIcon(p.kind, k.colour, true, p.id, shift(p.site, p.kind), p.no),
                                        title: p.name,
                                        zIndexOffset: 1000, riseOnHover: true});
      var box = el("div", "hp-popup hp-project");
      box.setAttribute("data-item", p.id);
      box.appendChild(el("h3", null, (p.no !== null ? p.no + ". " : "") + p.name));
      var t = el("table");
      if (p.no !== null) row(t, T.no, p.no + (p.origin === "committed" ? LP + T.committed + RP : ""));
      row(t, T.site, p.siteName);
      if (p.content) row(t, T.content, p.content);
      row(t, T.cost, fmtNum(p.cost));
      row(t, T.year, p.year);
      row(t, T.newly, fmtInt(p.newly));
      row(t, T.only, fmtInt(p.only));
      box.appendChild(t);
      box.appendChild(el("p", "hp-basis-head", T.basis));
      box.appendChild(el("p", "hp-basis", p.basis));
      m.bindPopup(box, {maxWidth: 380});
      markers[p.id] = m;
      fresh.addLayer(m);
    });
    var unc = L.layerGroup();
    (D.uncovered[k.key] || []).forEach(function (v) {
      unc.addLayer(L.circleMarker([v[0], v[1]], {radius: 3, color: "#222222", weight: 1, fillColor: "#ffffff",
                                                  fillOpacity: 1}).bindTooltip(v[2] + " · " + fmtInt(v[3])));
    });
    overlays[T.existing + " · " + k.name] = existing;
    overlays[T.new + " · " + k.name] = fresh;
    overlays[T.uncovered + " · " + k.name] = unc;
    existing.addTo(map);
    fresh.addTo(map);
  });
  overlays[T.township_names] = labelLayer;
  labelLayer.addTo(map);
  if (D.tiles) {
    overlays[T.tiles] = L.tileLayer(D.tiles, {maxZoom: 18, opacity: 0.6});
  }
  L.control.layers(baseLayers, overlays, {collapsed: false, position: "topright"}).addTo(map);

  // ---- legend
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = el("div", "hp-legend leaflet-bar");
    box.appendChild(el("h4", null, T.legend));
    box.appendChild(el("div", "hp-legend-caption", T.base_heading));
    D.classes.slice().reverse().forEach(function (c) {
      var r = el("div", "hp-legend-row");
      var sw = el("span", "hp-swatch");
      sw.style.background = c.colour;
      r.appendChild(sw);
      r.appendChild(el("span", null, c.label));
      box.appendChild(r);
    });
    if (D.projects.length) {
      var nr = el("div", "hp-legend-row");
      nr.innerHTML = '<span class="hp-no hp-no-legend">12</span>';
      nr.appendChild(el("span", null, " " + T.numbers));
      box.appendChild(nr);
    }
    D.kinds.forEach(function (k) {
      k.itemKinds.forEach(function (ik) {
        var r = el("div", "hp-legend-row");
        r.innerHTML = svgIcon(ik, k.colour, false, null).options.html + svgIcon(ik, k.colour, true, null).options.html;
        r.appendChild(el("span", null, " " + D.symbols[ik].legend + LP + T.existing + " / " + T.new + RP));
        box.appendChild(r);
      });
    });
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  legend.addTo(map);

  var note = document.getElementById("hp-note");
  D.note.forEach(function (n) { note.appendChild(el("span", null, n)); });

  window.healthplan = {map: map, baseLayers: baseLayers, overlays: overlays, markers: markers, data: D,
                       ready: true};
})();
