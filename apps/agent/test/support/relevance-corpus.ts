/**
 * A small help-desk corpus with queries and graded relevance judgements (2: answers the question,
 * 1: on the topic), written for the knowledge search tests. The queries mix the ways people ask:
 * the documents' own words, other inflections of them, and a mix of both.
 */
export const CORPUS: Record<string, string> = {
  refunds: 'Refunds are paid to the original card within 14 days after the returned parcel reaches our warehouse.',
  returns: 'To return an item, print the prepaid label from your account and drop the parcel at any post office within 30 days.',
  exchange: 'Exchanging a product for another size is free: start a return and choose the exchange option.',
  damaged: 'If a delivery arrives damaged, photograph the box and the product and contact support within 48 hours.',
  shippingTimes: 'Standard shipping takes 3 to 5 working days; express shipping arrives the next working day.',
  shippingCosts: 'Shipping is free on orders above 50 euros; below that a flat fee of 4.90 euros applies.',
  international: 'We ship internationally to 30 countries; customs duties are paid by the recipient.',
  tracking: 'Every shipment gets a tracking number by email as soon as the parcel leaves the warehouse.',
  passwordReset: 'To reset your password, click "Forgot password" on the login page and follow the link we email you.',
  passwordRules: 'Passwords must be at least 12 characters long and are rotated every 90 days for staff accounts.',
  twoFactor: 'Two-factor authentication adds a one-time code from an authenticator app to every login.',
  lockedAccount: 'After five failed login attempts the account is locked for 15 minutes.',
  deleteAccount: 'Deleting your account removes your orders, addresses and saved cards permanently.',
  invoices: 'Invoices are available as PDF files in the orders section of your account.',
  vat: 'Business customers can add a VAT number at checkout to receive an invoice without VAT.',
  paymentMethods: 'We accept credit cards, PayPal and bank transfers; bank transfers delay shipping until payment arrives.',
  paymentFailed: 'A declined payment usually means the card issuer blocked it; try another card or contact your bank.',
  giftCards: 'Gift cards never expire and can be combined with other payment methods.',
  warranty: 'All electronics come with a two-year warranty covering manufacturing defects.',
  warrantyClaim: 'To claim the warranty, send the serial number and a description of the defect to support.',
  batteries: 'Batteries are consumables and are covered by the warranty for six months only.',
  storeHours: 'Our stores open from 9 am to 7 pm on weekdays and from 10 am to 4 pm on Saturdays.',
  careers: 'Open positions in engineering, logistics and customer support are listed on the careers page.',
  newsletter: 'Unsubscribe from the newsletter with the link at the bottom of every email.',
  privacy: 'We store personal data in the EU and never sell it to third parties.',
  cookies: 'Cookie preferences can be changed at any time in the footer of the website.',
};

export interface Judged {
  query: string;
  relevant: Record<string, 1 | 2>;
}

export const QUERIES: Judged[] = [
  { query: 'how long until I get my refund', relevant: { refunds: 2, returns: 1 } },
  { query: 'returning a parcel', relevant: { returns: 2, refunds: 1, exchange: 1 } },
  { query: 'package arrived broken', relevant: { damaged: 2 } },
  { query: 'delivery time for express shipments', relevant: { shippingTimes: 2, tracking: 1, shippingCosts: 1 } },
  { query: 'forgot my password', relevant: { passwordReset: 2, lockedAccount: 1 } },
  { query: 'password length requirements', relevant: { passwordRules: 2, passwordReset: 1 } },
  { query: 'login locked after failed attempts', relevant: { lockedAccount: 2, twoFactor: 1 } },
  { query: 'download invoice pdf', relevant: { invoices: 2, vat: 1 } },
  { query: 'card payment declined', relevant: { paymentFailed: 2, paymentMethods: 1 } },
  { query: 'warranty claim for a defective device', relevant: { warrantyClaim: 2, warranty: 2, batteries: 1 } },
  { query: 'battery warranty', relevant: { batteries: 2, warranty: 1 } },
  { query: 'customs duties international shipping', relevant: { international: 2, shippingCosts: 1 } },
];

/** nDCG@k of a ranking (document keys, best first) against graded judgements. */
export function ndcgAt(k: number, ranking: string[], relevant: Record<string, number>): number {
  const dcg = (gains: number[]) => gains.slice(0, k).reduce((sum, gain, i) => sum + (2 ** gain - 1) / Math.log2(i + 2), 0);
  const ideal = dcg(Object.values(relevant).sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ranking.map((key) => relevant[key] ?? 0)) / ideal;
}
