export type { AttributeValue, Budget, CatalogueItem, Constraints, ScoredItem, UserProfile } from './types';
export {
  DataFormatError,
  type DataIssue,
  loadCatalogueFile,
  loadProfilesFile,
  parseCatalogueJsonl,
  parseProfilesJsonl,
} from './parse';
export {
  BM25_B,
  BM25_K1,
  Bm25Index,
  compareScored,
  FIELD_WEIGHTS,
  type ItemFilter,
  type SearchOptions,
  stem,
  tokenize,
  withinOneEdit,
  words,
} from './bm25';
export { satisfies, violations } from './constraints';
export {
  affinityScore,
  type AffinityWeights,
  budgetOvershoot,
  DEFAULT_AFFINITY_WEIGHTS,
  interestMatch,
  type RankedItem,
  type RerankOptions,
  rerankForProfile,
  type ScoreBreakdown,
} from './personalise';
export { explainRecommendation, formatMoney } from './explain';
export { CatalogueStore, ProfileStore, storedId } from './store';
export { CATALOGUE_REFRESH_MS, PerTenantCatalogue } from './per-tenant';
export { defaultDataFiles, loadData, type LoadDataOptions, type LoadDataResult } from './load';
export {
  type CatalogueVectors,
  catalogueVectors,
  CatalogueVectorStore,
  DenseIndex,
  type DocumentEmbedder,
  itemText,
  type ItemVector,
  textHash,
  type VectorStore,
} from './vectors';
export { type FusionOptions, HybridSearch, reciprocalRankFusion, RRF_K, type TextSearch } from './fusion';
