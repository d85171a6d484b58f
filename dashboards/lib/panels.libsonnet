// Panel builders for Grafana's dashboard JSON model (schemaVersion 39).
// Every panel has a title, a description, a unit and a size (gridPos w and h, in grid units);
// the generator places the panels in list order and numbers them (generators/emit/dashboards/layout.ts).
{
  datasource:: { type: 'prometheus', uid: '${datasource}' },

  target(expr, legend='', refId='A', instant=false, format='time_series'):: {
    datasource: $.datasource,
    expr: expr,
    legendFormat: legend,
    refId: refId,
    range: !instant,
    instant: instant,
    format: format,
  },

  // Targets from a list of [expr, legend] pairs, with refIds A, B, C...
  targets(pairs, instant=false, format='time_series'):: [
    $.target(pairs[i][0], pairs[i][1], std.char(65 + i), instant, format)
    for i in std.range(0, std.length(pairs) - 1)
  ],

  // Threshold steps from [value, colour] pairs (the base step is added).
  thresholds(base='green', steps=[]):: {
    mode: 'absolute',
    steps: [{ color: base, value: null }] + [{ color: s[1], value: s[0] } for s in steps],
  },

  local base(type, title, description, w, h) = {
    type: type,
    title: title,
    description: description,
    datasource: $.datasource,
    gridPos: { w: w, h: h },
  },

  timeseries(title, description, unit, targets, thresholds=$.thresholds(), showThresholds=false, min=null, max=null, w=12, h=8)::
    base('timeseries', title, description, w, h) {
      targets: targets,
      fieldConfig: {
        defaults: {
          unit: unit,
          [if min != null then 'min']: min,
          [if max != null then 'max']: max,
          thresholds: thresholds,
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 0,
            spanNulls: false,
            thresholdsStyle: { mode: if showThresholds then 'line' else 'off' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  stat(title, description, unit, targets, thresholds=$.thresholds(), decimals=null, w=6, h=4)::
    base('stat', title, description, w, h) {
      targets: targets,
      fieldConfig: {
        defaults: {
          unit: unit,
          [if decimals != null then 'decimals']: decimals,
          thresholds: thresholds,
          color: { mode: 'thresholds' },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'background',
        graphMode: 'area',
        textMode: 'auto',
        justifyMode: 'auto',
        orientation: 'auto',
      },
    },

  table(title, description, unit, targets, transformations=[], overrides=[], sortBy=[], w=24, h=8)::
    base('table', title, description, w, h) {
      targets: targets,
      transformations: transformations,
      fieldConfig: {
        defaults: { unit: unit, custom: { align: 'auto' } },
        overrides: overrides,
      },
      options: { showHeader: true, sortBy: sortBy, cellHeight: 'sm' },
    },

  text(title, description, markdown, w=24, h=4)::
    base('text', title, description, w, h) {
      // Text panels show no data; `none` is their unit so every panel declares one.
      fieldConfig: { defaults: { unit: 'none' }, overrides: [] },
      options: { mode: 'markdown', content: markdown },
    },

  row(title):: {
    type: 'row',
    title: title,
    collapsed: false,
    panels: [],
    gridPos: { w: 24, h: 1 },
  },
}
