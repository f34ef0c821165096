/** Which days Today shows; kept while the technician opens a job and comes back. */
export type TodayTab = 'today' | 'tomorrow' | 'week';

export const todayTab = $state<{ value: TodayTab }>({ value: 'today' });
