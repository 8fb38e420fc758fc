/**
 * @trade-r1/verifier — point-in-time RAG verification of trading reasoning: a LanceDB evidence store, offline
 * embedders, and Trade-R1's triangular consistency (factuality, deduction, consistency).
 * @packageDocumentation
 */

// #region evidence store, chunking, embedders, embedding cache (owner: verifier-store)
// #endregion

// #region claims, checks, stance, judges, verify, perturb (owner: verifier-scoring)
// #endregion
