/**
 * Payload types of the example marketplace's events, for the typed builder. Field names and types match
 * the events the command side emits (prices are integer cents, times ISO-8601 strings).
 */
export interface MarketplaceEvents {
  CustomerRegistered: { customerId: string; name: string; email: string; city: string };
  CustomerRenamed: { customerId: string; name: string };
  CustomerFollowed: { customerId: string; followedCustomerId: string };
  CustomerUnfollowed: { customerId: string; followedCustomerId: string };
  ProductListed: {
    productId: string;
    title: string;
    description: string;
    category: string;
    price: number;
    tags: string[];
  };
  ProductPriceChanged: { productId: string; price: number };
  ProductDelisted: { productId: string };
  OrderPlaced: { orderId: string; customerId: string; placedAt: string };
  ItemAdded: { orderId: string; productId: string; qty: number; price: number };
  OrderShipped: { orderId: string };
  OrderCancelled: { orderId: string };
}
