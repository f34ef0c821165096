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
export type { Transport, Unsubscribe } from './transport';
