// Versions running per component over time, next to the error budget burn of its SLIs, so
// an admin sees whether a rollout hurts an SLO.
local d = import 'lib/dashboard.libsonnet';
local p = import 'lib/panels.libsonnet';

local component(vm, svc) = [
  p.row(svc.name),
  if svc.version != null then
    p.timeseries(
      svc.name + ': instances per version',
      'How many instances report each ' + svc.version.label + '; a rollout shows as one version rising while another falls.',
      'short',
      p.targets([[svc.version.expr, '{{' + svc.version.label + '}}']]),
      min=0,
    )
  else
    p.text(
      svc.name + ': instances per version',
      'No version series is known for this service.',
      'No version metric is declared for ' + svc.name + ': add `version_metric` to its catalog entry, or adopt the SDK.',
      w=12,
      h=8,
    ),
  p.timeseries(
    svc.name + ': burn rate (1h)',
    'Error budget burn of every ' + svc.name + ' SLI over the last hour; the red line is the fastest page factor.',
    'x',
    p.targets([[sli.queries.burnRates[0].expr, sli.name + ' ' + vm.legend] for sli in svc.slis]),
    p.thresholds('transparent', [[std.foldl(std.max, std.flattenArrays([sli.pageFactors for sli in svc.slis]), 0), 'red']]),
    showThresholds=true,
    min=0,
  ),
];

local components(vm) = std.flattenArrays([component(vm, svc) for svc in vm.services]);

{
  dashboard(vm)::
    d.new(
      vm.upgradesUid,
      'SLO / upgrade watch',
      'Versions running per component and the error budget burn around each rollout.',
      ['slokit', 'slo', 'upgrades'],
      [d.labelVariable(v, vm.overview.variableQuery) for v in vm.variables],
      components(vm),
      [d.link('SLO overview', '/d/' + vm.overviewUid + '/slo-overview', 'Every SLO of the platform')],
      from='now-24h',
    ),

  // The components of vm.services in order, each starting with a row: slokit evaluates a large
  // catalog's upgrade watch in such pieces, places each on the grid and stacks them.
  panels(vm):: components(vm),
}
