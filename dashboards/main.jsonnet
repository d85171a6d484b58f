// Entry point: the model (the view model built by generators/emit/dashboards) comes in as the
// external variable `model`; out come the dashboards, keyed by file name. An admin's override
// file is merged onto this object (monitoring-mixin style), e.g.
//   { grafanaDashboards+: { 'registry.json'+: { refresh: '30s' } } }
local overview = import 'overview.libsonnet';
local service = import 'service.libsonnet';
local upgrades = import 'upgrades.libsonnet';
local journeys = import 'journeys.libsonnet';
local vm = std.extVar('model');

{
  grafanaDashboards: {
    [svc.name + '.json']: service(vm, svc)
    for svc in vm.services
  } + {
    'slo-overview.json': overview(vm),
    'upgrades.json': upgrades.dashboard(vm),
  } + (if vm.journeys.present then { 'journeys.json': journeys.dashboard(vm) } else {}),
}
