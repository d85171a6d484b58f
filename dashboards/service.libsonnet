// One dashboard per service: a headline row, a row per SLI with drill-down by its
// significant labels, and the service's dependencies.
local d = import 'lib/dashboard.libsonnet';
local p = import 'lib/panels.libsonnet';

local legendFor(labels) = if std.length(labels) == 0 then 'all' else std.join(' ', ['{{' + l + '}}' for l in labels]);

local headline(vm, svc, sli) = [
  p.stat(
    sli.name + ': good events (1h)',
    'Share of good ' + sli.name + ' events over the last hour; the objective is ' + sli.objectiveText + ' over ' + sli.period + '. Red below the objective.',
    'percentunit',
    p.targets([[sli.queries.good, sli.legend]]),
    p.thresholds('red', [[sli.objective, 'green']]),
    decimals=3,
    w=5,
    h=8,
  ),
  p.stat(
    sli.name + ': error budget left',
    'Share of the ' + sli.period + ' error budget not yet spent (1 = untouched, below 0 = overspent)' + (if std.length(sli.queries.reportBudgets) > 0 then '; also against the objectives that are reported, never alerted on.' else '.'),
    'percentunit',
    p.targets([[sli.queries.budgetRemaining, sli.legend]] + [[r.expr, r.legend + ' ' + sli.legend] for r in sli.queries.reportBudgets]),
    p.thresholds('red', [[0, 'orange'], [0.25, 'green']]),
    decimals=1,
    w=5,
    h=8,
  ),
  p.timeseries(
    sli.name + ': burn rate per alert window',
    'How fast the error budget is spent, per alert window (1 = exactly on budget). Red lines: page factors; orange: ticket factors.',
    'x',
    p.targets([[b.expr, b.window + ' ' + sli.legend] for b in sli.queries.burnRates]),
    p.thresholds('transparent', [[f, 'orange'] for f in sli.ticketFactors] + [[f, 'red'] for f in sli.pageFactors]),
    showThresholds=true,
    min=0,
    w=14,
  ),
];

local sliRow(svc, sli) =
  local q = sli.queries;
  local drillLegend = legendFor(sli.significantLabels);
  [
    p.row('SLI ' + sli.name + ' (' + sli.kind + ', ' + sli.objectiveText + ' objective' + sli.rowNote + ')'),
    p.timeseries(
      'Event rate',
      'Events per second counted by the ' + sli.name + ' SLI, by ' + (if std.length(sli.significantLabels) == 0 then 'nothing' else std.join(', ', sli.significantLabels)) + '.',
      'ops',
      p.targets([[q.requestRate, drillLegend], [q.requestRateTotal, 'total']]),
      min=0,
      w=if std.length(q.latency) > 0 then 8 else 12,
    ),
    p.timeseries(
      'Error ratio',
      'Share of bad events, by significant label; the line is the error budget of the ' + sli.objectiveText + ' objective.',
      'percentunit',
      p.targets([[q.errorRatio, drillLegend], [q.errorRatioTotal, 'total']]),
      p.thresholds('transparent', [[1 - sli.objective, 'red']]),
      showThresholds=true,
      min=0,
      w=if std.length(q.latency) > 0 then 8 else 12,
    ),
  ] + (
    if std.length(q.latency) > 0 then [
      p.timeseries(
        'Latency percentiles',
        'p50, p90 and p99 estimated from the histogram; the line is the SLO threshold (' + sli.latencyThreshold + 's).',
        's',
        p.targets([[l.expr, l.legend] for l in q.latency]),
        p.thresholds('transparent', [[sli.latencyThreshold, 'red']]),
        showThresholds=true,
        min=0,
        w=8,
      ),
    ] else []
  ) + (
    if sli.apdexTolerated != null then [
      p.timeseries(
        'Apdex score',
        'Satisfied within ' + sli.latencyThreshold + 's, tolerated (half) within ' + sli.apdexTolerated + 's; the line is the objective.',
        'percentunit',
        p.targets([['1 - (' + q.errorRatioTotal + ')', 'apdex']]),
        p.thresholds('red', [[sli.objective, 'green']]),
        showThresholds=true,
        min=0,
        max=1,
        w=24,
      ),
    ] else []
  ) + [
    p.table(
      'Firing alerts',
      'Alerts of the ' + sli.name + ' SLI firing now.',
      'short',
      p.targets([[q.firing, '']], instant=true, format='table'),
      [{ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }],
      w=24,
      h=4,
    ),
  ];

// One panel per saturation resource: the worst instance against the soft and hard thresholds,
// and where last week's trend leads (the capacity forecast alert fires when it crosses hard).
local saturation(vm, svc) =
  if std.length(svc.saturation) == 0 then [] else [
    p.row('Saturation'),
  ] + [
    p.timeseries(
      r.title + ' (' + r.name + ')',
      r.description,
      'percentunit',
      p.targets([[r.worst, 'worst ' + vm.legend], [r.forecast, r.forecastLegend + ' ' + vm.legend]]),
      p.thresholds('green', [[r.soft, 'orange'], [r.hard, 'red']]),
      showThresholds=true,
      min=0,
      max=1,
      w=12,
    ) + {
      fieldConfig+: { overrides: [{
        matcher: { id: 'byRegexp', options: '^trend.*' },
        properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }],
      }] },
    }
    for r in svc.saturation
  ];

local dependencies(svc) =
  if std.length(svc.dependencies) == 0 then [] else [
    p.row('Dependencies'),
    p.text(
      'Dependencies',
      'Services ' + svc.name + ' depends on; their dashboards open with the same time range and variables.',
      std.join('\n', ['- [' + dep.name + '](' + dep.path + ')' for dep in svc.dependencies]),
      h=2 + std.length(svc.dependencies),
    ),
  ];

function(vm, svc)
  d.new(
    svc.uid,
    svc.title,
    svc.description,
    ['slokit', 'slo', 'team:' + svc.team, 'tier:' + svc.tier],
    [d.labelVariable(v, svc.variableQuery) for v in vm.variables]
    + [d.customVariable('sli', 'SLI', [sli.name for sli in svc.slis])],
    [p.row('Overview')]
    + std.flattenArrays([headline(vm, svc, sli) for sli in svc.slis])
    + [
      p.table(
        'Firing alerts',
        'Every slokit alert of ' + svc.name + ' firing now, with the window pair that fired.',
        'short',
        p.targets([[svc.serviceFiring, '']], instant=true, format='table'),
        [{ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }],
        h=5,
      ),
    ]
    + std.flattenArrays([sliRow(svc, sli) for sli in svc.slis])
    + saturation(vm, svc)
    + dependencies(svc),
    [
      d.link('Runbook', svc.runbookUrl, 'Runbook of ' + svc.name),
      d.link('SLO overview', '/d/' + vm.overviewUid + '/slo-overview', 'Every SLO of the platform'),
    ] + [d.link(dep.name, dep.path, 'Dashboard of dependency ' + dep.name) for dep in svc.dependencies],
  )
