import { type Constraints as CatalogueConstraints } from '@tributary/catalogue';
import { type Constraints } from '@tributary/contracts';

/**
 * The event's constraints (Avro: nulls and always-present lists) as the catalogue library reads
 * them, optionally narrowed to a plan step's categories (within what the request allows).
 */
export function toCatalogueConstraints(
  constraints: Constraints,
  stepCategories: readonly string[] = [],
): CatalogueConstraints {
  const requested = constraints.categories;
  const categories =
    requested.length === 0
      ? [...stepCategories]
      : stepCategories.length === 0
        ? requested
        : requested.filter((c) => stepCategories.includes(c));
  return {
    ...(categories.length > 0 ? { categories } : requested.length > 0 ? { categories: requested } : {}),
    ...(constraints.minPrice !== null ? { minPrice: constraints.minPrice } : {}),
    ...(constraints.maxPrice !== null ? { maxPrice: constraints.maxPrice } : {}),
    excludeItemIds: constraints.excludeItemIds,
    excludeTags: constraints.excludeTags,
  };
}
