import { type CatalogueItem, type Constraints } from './types';

const formatPrice = (item: CatalogueItem): string => `${item.price.toFixed(2)} ${item.currency}`;

/**
 * Why an item breaks the constraints, one sentence per broken rule; empty when it satisfies them.
 * Empty lists mean "no restriction". Prices are compared as-is: constraints carry no currency.
 */
export function violations(item: CatalogueItem, constraints: Constraints): string[] {
  const reasons: string[] = [];
  const { categories, minPrice, maxPrice, excludeItemIds, excludeTags } = constraints;
  if (categories !== undefined && categories.length > 0 && !categories.includes(item.category)) {
    reasons.push(`category "${item.category}" is not one of: ${categories.join(', ')}`);
  }
  if (minPrice !== undefined && item.price < minPrice) {
    reasons.push(`price ${formatPrice(item)} is below the minimum of ${minPrice}`);
  }
  if (maxPrice !== undefined && item.price > maxPrice) {
    reasons.push(`price ${formatPrice(item)} is above the maximum of ${maxPrice}`);
  }
  if (excludeItemIds?.includes(item.id) === true) {
    reasons.push(`item ${item.id} is explicitly excluded`);
  }
  const excludedTags = item.tags.filter((tag) => excludeTags?.includes(tag) === true);
  if (excludedTags.length > 0) {
    reasons.push(
      `tagged ${excludedTags.map((tag) => `"${tag}"`).join(', ')}, which ${excludedTags.length === 1 ? 'is' : 'are'} excluded`,
    );
  }
  return reasons;
}

/**
 * No rule of {@link violations} is broken: the same rules, without writing out why, since search asks
 * this of every item a query matches.
 */
export function satisfies(item: CatalogueItem, constraints: Constraints): boolean {
  const { categories, minPrice, maxPrice, excludeItemIds, excludeTags } = constraints;
  if (categories !== undefined && categories.length > 0 && !categories.includes(item.category)) return false;
  if (minPrice !== undefined && item.price < minPrice) return false;
  if (maxPrice !== undefined && item.price > maxPrice) return false;
  if (excludeItemIds?.includes(item.id) === true) return false;
  return !item.tags.some((tag) => excludeTags?.includes(tag) === true);
}
