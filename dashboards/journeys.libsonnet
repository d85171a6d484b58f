// User journeys: one row per chosen journey (the `journey` variable, repeated), over the recorded
// journey:* series and the burn rates its SLIs record, joined on the journey's component
// weights: the same dashboard for two journeys or fifty.
local d = import 'lib/dashboard.libsonnet';
local p = import 'lib/panels.libsonnet';

local rows(j) = [
  p.row('Journey $journey') { repeat: 'journey' },
  p.stat(
    'Availability over the period',
    "Share of the journey's (weighted) events that were good over its SLO period.",
    'percentunit',
    p.targets([[j.availability, j.legend]]),
    p.thresholds('red', [[j.lowestObjective, 'green']]),
    decimals=3,
  ),
  p.stat(
    'Error budget left',
    "How much of the period's error budget is left; below zero the objective is missed.",
    'percentunit',
    p.targets([[j.budgetRemaining, j.legend]]),
    p.thresholds('red', [[0, 'orange'], [0.25, 'green']]),
    decimals=1,
  ),
  p.text('Weighting', 'How the journey combines its components.', j.weightingText, w=12, h=4),
  p.timeseries(
    'Error ratio',
    "The journey's error ratio over the last hour and over its period; its error budget (1 - objective) is the line to stay under.",
    'percentunit',
    p.targets([[j.errorRatio, '1h ' + j.legend], [j.periodRatio, 'period ' + j.legend], [j.budget, 'error budget']]),
    min=0,
  ),
  p.timeseries(
    'Burn rate of each component (1h)',
    'Error budget burn over the last hour of each SLI the journey crosses (1 is the sustainable rate): the step to look at first.',
    'x',
    p.targets([[j.componentBurn, j.componentLegend]]),
    min=0,
  ),
];

{
  dashboard(vm)::
    local j = vm.journeys;
    d.new(
      j.uid,
      'SLO / user journeys',
      'What users experience across services: each journey with its availability, budget, error ratio and the burn of the SLIs it crosses.',
      ['slokit', 'slo', 'journeys'],
      [d.labelVariable(v, vm.overview.variableQuery) for v in vm.variables] + [d.labelVariable({ name: 'journey', label: 'Journey', labelName: 'journey' }, j.journeyQuery)],
      rows(j),
      [d.link('SLO overview', '/d/' + vm.overviewUid + '/slo-overview', 'Every SLO of the platform')],
      from='now-7d',
    ),
}
