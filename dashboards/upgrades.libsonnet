// Versions running per component over time, next to the error budget burn of its SLIs, so
// an admin sees whether a rollout hurts an SLO. One row per chosen service, repeated by the
// `service` variable over recorded series: the dashboard is the same size for 5 services or
// 5,000 (a row per service written out was 6 KiB each, past Kubernetes' 1 MiB ConfigMap limit
// at about 170 services).
local d = import 'lib/dashboard.libsonnet';
local p = import 'lib/panels.libsonnet';

local serviceVariable(vm) = d.labelVariable({ name: 'service', label: 'Service', labelName: 'service' }, vm.upgrades.serviceQuery) {
  // All would draw a row for every service of the catalog: the first service is shown until one is chosen.
  includeAll: false,
};

local rows(vm) = [
  p.row('$service') { repeat: 'service' },
  p.timeseries(
    'Instances per version',
    'How many instances of $service run each version, from its version metric (' + vm.upgrades.versionSeries + '); a rollout shows as one version rising while another falls.',
    'short',
    p.targets([[vm.upgrades.versions, vm.upgrades.versionLegend]]),
    min=0,
  ) { fieldConfig+: { defaults+: { noValue: vm.upgrades.noVersion } } },
  p.timeseries(
    'Burn rate (1h)',
    'Error budget burn of every $service SLI over the last hour; the red line is ' + vm.upgrades.pageFactorText + '.',
    'x',
    p.targets([[vm.upgrades.burn, vm.upgrades.burnLegend]]),
    p.thresholds('transparent', if vm.upgrades.pageFactor > 0 then [[vm.upgrades.pageFactor, 'red']] else []),
    showThresholds=true,
    min=0,
  ),
];

{
  dashboard(vm)::
    d.new(
      vm.upgradesUid,
      'SLO / upgrade watch',
      'Versions running per component and the error budget burn around each rollout; choose services in the Service variable.',
      ['slokit', 'slo', 'upgrades'],
      [d.labelVariable(v, vm.overview.variableQuery) for v in vm.variables] + [serviceVariable(vm)],
      rows(vm),
      [d.link('SLO overview', '/d/' + vm.overviewUid + '/slo-overview', 'Every SLO of the platform')],
      from='now-24h',
    ),
}
