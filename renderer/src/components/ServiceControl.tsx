/**
 * How the local ScriptX.Services is started, stopped and restarted, read-only: the commands and the
 * Windows service name are set in the settings file only (the window can never choose a program
 * to run), so this says what is set and where to set it.
 */
import type { SettingsView } from '../../../preload/contract/contract';
import type { ScriptxSourceConfig, ServiceCommand } from '../../../preload/contract/model';
import { t } from '../i18n/messages';

function commandText(c: ServiceCommand | undefined): string {
  if (!c) return t.serviceCommandNotSet;
  return [c.file, ...c.args].map((part) => (/[\s"]/.test(part) ? `"${part.replace(/"/g, '\\"')}"` : part)).join(' ');
}

export function ServiceControlSettings(props: { view: SettingsView; sourceId: string }) {
  const index = props.view.settings.sources.findIndex((s) => s.id === props.sourceId);
  const config = props.view.settings.sources[index] as ScriptxSourceConfig | undefined;
  if (!config || config.kind !== 'scriptx') return null;
  const service = config.service ?? {};
  const anySet = !!(service.start || service.stop || service.restart || service.windowsServiceName);
  const helpId = `service-control-help-${props.sourceId}`;
  return (
    <section class="service-control-settings" data-testid="service-control-settings" aria-labelledby={`${helpId}-title`} aria-describedby={helpId}>
      <h3 id={`${helpId}-title`}>{t.serviceControlSettingsTitle}</h3>
      <p class="muted" id={helpId}>
        {anySet ? t.serviceControlSetInFile(props.view.configPath, `sources[${index}].service`) : t.serviceControlHowToEnable(props.view.configPath, `sources[${index}].service`)}
      </p>
      <dl class="facts">
        {(['start', 'stop', 'restart'] as const).map((a) => (
          <div key={a}>
            <dt>{t.serviceCommandLabel[a]}</dt>
            <dd>
              <code>{commandText(service[a])}</code>
            </dd>
          </div>
        ))}
        <div>
          <dt>{t.serviceWindowsName}</dt>
          <dd>
            <code>{service.windowsServiceName ?? t.serviceCommandNotSet}</code>
          </dd>
        </div>
      </dl>
      {!anySet && <pre class="service-example">{t.serviceControlExample}</pre>}
    </section>
  );
}
