/** The console's places as hash URLs (`#/board/2026-11-28`, `#/job/ID`); pure parse and format. */
import { ADMIN_TABS, type AdminTab } from './admin';

export type DispatchRoute =
  | { name: 'board'; day: string | null }
  /** The week holding `day` (this week when null). */
  | { name: 'week'; day: string | null }
  | { name: 'new' }
  | { name: 'edit'; id: string }
  /** A new work order that is a return visit of job `id`. */
  | { name: 'return'; id: string }
  | { name: 'job'; id: string }
  | { name: 'sla' }
  /** One tab of the admin page (`#/admin/job-types`); `#/admin` is the first tab. */
  | { name: 'admin'; tab: AdminTab }
  /** Jobs matching a text (number, problem, customer name or phone, address). */
  | { name: 'search'; q: string }
  /** The KPI page for local days `from`..`to` (the last 30 days when null), team or technician. */
  | { name: 'kpis'; from: string | null; to: string | null; technician: string | null }
  /** The knowledge base's articles. */
  | { name: 'kb' }
  /** A new knowledge article. */
  | { name: 'kbNew' }
  /** An article: its latest version (`version` null) or an older version, read only. */
  | { name: 'kbArticle'; id: string; version: number | null }
  /** Writing the next version of an article. */
  | { name: 'kbEdit'; id: string }
  /** The review queue of fixes shared from the field. */
  | { name: 'kbShared' }
  /** One shared fix, beside its job's facts. */
  | { name: 'kbProposal'; id: string }
  /** A new article written from shared fix `id`. */
  | { name: 'kbProposalNew'; id: string }
  /** The next version of article `article`, with shared fix `id` added to it. */
  | { name: 'kbProposalMerge'; id: string; article: string }
  /** The jobs behind one KPI number. */
  | {
      name: 'kpiJobs';
      measure: string;
      part: 'numerator' | 'denominator';
      from: string;
      to: string;
      technician: string | null;
    };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Each admin tab's part of the URL. */
const ADMIN_SLUGS: Record<AdminTab, string> = {
  users: 'users',
  devices: 'devices',
  jobTypes: 'job-types',
  parts: 'parts',
  sla: 'sla',
};

/** The admin tab a URL part names; the first tab for none or one it does not know. */
function adminTab(slug: string | undefined): AdminTab {
  return ADMIN_TABS.find((tab) => ADMIN_SLUGS[tab] === slug) ?? ADMIN_TABS[0];
}

function decode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export function parseRoute(hash: string): DispatchRoute {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  const [first, second, third] = path.split('/').map(decode);
  switch (first) {
    case 'sla':
      return { name: 'sla' };
    case 'admin':
      return { name: 'admin', tab: adminTab(second) };
    case 'search':
      return { name: 'search', q: second ?? '' };
    case 'kpis': {
      const [, , , tech] = path.split('/').map(decode);
      const ok = second && third && DAY.test(second) && DAY.test(third);
      return {
        name: 'kpis',
        from: ok ? second : null,
        to: ok ? third : null,
        technician: ok && tech ? tech : null,
      };
    }
    case 'kpi-jobs': {
      const [, measure, part, from, to, tech] = path.split('/').map(decode);
      if (
        !measure ||
        (part !== 'numerator' && part !== 'denominator') ||
        !from ||
        !to ||
        !DAY.test(from) ||
        !DAY.test(to)
      ) {
        return { name: 'kpis', from: null, to: null, technician: null };
      }
      return { name: 'kpiJobs', measure, part, from, to, technician: tech || null };
    }
    case 'kb': {
      if (!second) return { name: 'kb' };
      if (second === 'new' && !third) return { name: 'kbNew' };
      if (second === 'shared') {
        const [, , , action, article] = path.split('/').map(decode);
        if (!third) return { name: 'kbShared' };
        if (action === 'new') return { name: 'kbProposalNew', id: third };
        if (action === 'into' && article) {
          return { name: 'kbProposalMerge', id: third, article };
        }
        return { name: 'kbProposal', id: third };
      }
      if (third === 'edit') return { name: 'kbEdit', id: second };
      const [, , , n] = path.split('/').map(decode);
      const version = third === 'v' && n && /^\d{1,9}$/.test(n) ? Number(n) : null;
      return {
        name: 'kbArticle',
        id: second,
        version: version !== null && version > 0 ? version : null,
      };
    }
    case 'jobs':
      return second === 'new' ? { name: 'new' } : { name: 'board', day: null };
    case 'job':
      if (!second) return { name: 'board', day: null };
      if (third === 'edit') return { name: 'edit', id: second };
      if (third === 'return') return { name: 'return', id: second };
      return { name: 'job', id: second };
    case 'board':
      return { name: 'board', day: second && DAY.test(second) ? second : null };
    case 'week':
      return { name: 'week', day: second && DAY.test(second) ? second : null };
    default:
      return { name: 'board', day: null };
  }
}

export function href(route: DispatchRoute): string {
  switch (route.name) {
    case 'board':
      return route.day ? `#/board/${route.day}` : '#/board';
    case 'week':
      return route.day ? `#/week/${route.day}` : '#/week';
    case 'new':
      return '#/jobs/new';
    case 'edit':
      return `#/job/${encodeURIComponent(route.id)}/edit`;
    case 'return':
      return `#/job/${encodeURIComponent(route.id)}/return`;
    case 'job':
      return `#/job/${encodeURIComponent(route.id)}`;
    case 'sla':
      return '#/sla';
    case 'admin':
      return `#/admin/${ADMIN_SLUGS[route.tab]}`;
    case 'search':
      return `#/search/${encodeURIComponent(route.q)}`;
    case 'kpis':
      if (!route.from || !route.to) return '#/kpis';
      return `#/kpis/${route.from}/${route.to}${route.technician ? `/${encodeURIComponent(route.technician)}` : ''}`;
    case 'kb':
      return '#/kb';
    case 'kbNew':
      return '#/kb/new';
    case 'kbArticle':
      return `#/kb/${encodeURIComponent(route.id)}${route.version === null ? '' : `/v/${route.version}`}`;
    case 'kbEdit':
      return `#/kb/${encodeURIComponent(route.id)}/edit`;
    case 'kbShared':
      return '#/kb/shared';
    case 'kbProposal':
      return `#/kb/shared/${encodeURIComponent(route.id)}`;
    case 'kbProposalNew':
      return `#/kb/shared/${encodeURIComponent(route.id)}/new`;
    case 'kbProposalMerge':
      return `#/kb/shared/${encodeURIComponent(route.id)}/into/${encodeURIComponent(route.article)}`;
    case 'kpiJobs':
      return `#/kpi-jobs/${encodeURIComponent(route.measure)}/${route.part}/${route.from}/${route.to}${
        route.technician ? `/${encodeURIComponent(route.technician)}` : ''
      }`;
  }
}
