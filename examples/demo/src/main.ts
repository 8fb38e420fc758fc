// The smallest real example until the full demo lands: validate a decision and its evidence, and show that
// point-in-time checks reject evidence published after the decision.
import { decisionToExposure, isAvailableAt, parseDecision, parseEvidenceDocument } from '@trade-r1/core';

const asOf = '2024-01-26';
const decision = parseDecision('BUY');
const documents = [
  { id: 'q1', tickers: ['AAPL'], publishedAt: '2024-01-25T08:33:00Z', sourceKind: 'news', text: 'Earnings trends.' },
  { id: 'q2', tickers: ['AAPL'], publishedAt: '2024-02-02T21:00:00Z', sourceKind: 'news', text: 'Apple Q1 results.' },
].map((document) => parseEvidenceDocument(document));

console.log(`decision ${decision} → target exposure ${decisionToExposure(decision)}`);
for (const document of documents) {
  console.log(
    `${document.id} published ${document.publishedAt}: admissible as of ${asOf}? ${isAvailableAt(document.publishedAt, asOf)}`,
  );
}
