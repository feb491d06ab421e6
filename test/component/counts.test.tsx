// @vitest-environment happy-dom
/**
 * A number of things reads in the singular when there is one of them: "1 of 1 job", "Cancel the 1
 * active job", "Expires in 1 day", never "1 jobs" or "1 days". Each message is given the number
 * with its text (Count) and chooses its words by it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, unmount, type Mounted } from './harness';
import { count, useFormatLocale } from '../../renderer/src/i18n/format';
import { t } from '../../renderer/src/i18n/messages';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
  useFormatLocale(undefined);
});

describe('a message with a number in it', () => {
  it('says one thing in the singular and any other number in the plural', () => {
    useFormatLocale('en-US');
    const forms = (n: number) => [
      t.jobCount(String(n), count(n)),
      t.exportViewDone(count(n)),
      t.cancelManyConfirm(count(n)),
      t.cancelManyConfirmMixed(count(n), '1'),
      t.cancelAllOnPrinter('HP 1', count(n)),
      t.cancelAllOnSource('This PC', count(n)),
      t.cancelAllConfirm(count(n), 'HP 1'),
      t.historyListAll(count(n)),
      t.historyListPicked('Failed on HP 1', count(n)),
      t.historyJobsChartLabel('day', count(n), count(n)),
      t.historyJobsChartLabel('hour', count(n), count(n)),
      t.licenseExpiresIn(count(n)),
      t.licenseExpiringSoon(count(n)),
      t.pollingSecondsAtLeast(count(n)),
      t.pollingSecondsAtMost(count(n)),
    ];
    expect(forms(1)).toEqual([
      '1 of 1 job',
      'Exported 1 job as shown.',
      'Cancel 1 print job? This cannot be undone.',
      'Cancel 1 print job? This cannot be undone. 1 will not be canceled:',
      'Cancel the 1 active job on HP 1',
      'Cancel the 1 active job of This PC',
      'Cancel the 1 active job on HP 1? This cannot be undone.',
      'The one finished job of the period',
      'Failed on HP 1: 1 job',
      'Finished jobs per day, stacked by outcome: 1 job in 1 day. Choose Show as tables for the numbers.',
      'Finished jobs per hour, stacked by outcome: 1 job in 1 hour. Choose Show as tables for the numbers.',
      'Expires in 1 day',
      'The license expires in 1 day. Renew it to keep printing.',
      'Must be at least 1 second.',
      'Must be at most 1 second.',
    ]);
    expect(forms(2)).toEqual([
      '2 of 2 jobs',
      'Exported 2 jobs as shown.',
      'Cancel 2 print jobs? This cannot be undone.',
      'Cancel 2 print jobs? This cannot be undone. 1 will not be canceled:',
      'Cancel all 2 active jobs on HP 1',
      'Cancel all 2 active jobs of This PC',
      'Cancel all 2 active jobs on HP 1? This cannot be undone.',
      'All 2 finished jobs of the period',
      'Failed on HP 1: 2 jobs',
      'Finished jobs per day, stacked by outcome: 2 jobs in 2 days. Choose Show as tables for the numbers.',
      'Finished jobs per hour, stacked by outcome: 2 jobs in 2 hours. Choose Show as tables for the numbers.',
      'Expires in 2 days',
      'The license expires in 2 days. Renew it to keep printing.',
      'Must be at least 2 seconds.',
      'Must be at most 2 seconds.',
    ]);
    // None is the plural too; a license's last day is today.
    expect([t.jobCount('0', count(0)), t.licenseExpiresIn(count(0)), t.licenseExpiringSoon(count(0))]).toEqual([
      '0 of 0 jobs',
      'Expires today',
      'The license expires today. Renew it to keep printing.',
    ]);
    // Fractions of a second are seconds; the number is written in the user's format.
    expect(t.pollingSecondsAtLeast({ n: 0.5, text: '0.5' })).toBe('Must be at least 0.5 seconds.');
    useFormatLocale('de-DE');
    expect(t.jobCount('1.000', count(1000))).toBe('1.000 of 1.000 jobs');
  });
});

describe('the window with one job', () => {
  const sources = [makeHealth({ id: 'local', name: 'This PC' })];

  it('counts it as one job and offers to cancel the one active job of its source', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a', printer: 'HP 1' })], sources });
    expect(screen.getByTestId('job-count').textContent).toBe('1 of 1 job');
    fireEvent.click(screen.getByRole('button', { name: 'Sources' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel the 1 active job of This PC' }));
    expect(within(screen.getByRole('alertdialog')).getByText('Cancel the 1 active job on This PC? This cannot be undone.')).toBeTruthy();
  });
});
