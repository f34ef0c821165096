export type {
  Api,
  JobRef,
  MediaRef,
  PhotoUpload,
  SavedReport,
  SignatureUpload,
  StoreChanged,
} from './api';
export { createApi, frameUpload, STORE_CHANGED_EVENT } from './api';
export { provideApi, useApi } from './context';
export type { ErrorSentence, KnownErrorCode } from './errors';
export { ApiError, describeError, isKnownErrorCode, toApiError } from './errors';
export type { SyncIssue, SyncProgress, SyncStatus } from './sync';
export { SYNC_STATUS_EVENT } from './sync';
export type { Transport, Unsubscribe } from './transport';
