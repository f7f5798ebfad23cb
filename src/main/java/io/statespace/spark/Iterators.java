package io.statespace.spark;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.Predicate;

/** Lazy iterator adapters for the partition functions: one element in memory at a time. */
final class Iterators {
  private Iterators() {}

  /** The elements of {@code it} for which {@code keep} holds. */
  static <T> Iterator<T> keeping(Iterator<T> it, Predicate<T> keep) {
    return mapping(it, t -> keep.test(t) ? t : null);
  }

  /** {@code f} of each element of {@code it}, leaving out those it maps to null. */
  static <A, B> Iterator<B> mapping(Iterator<A> it, Function<A, B> f) {
    return new Iterator<>() {
      private B next;

      @Override
      public boolean hasNext() {
        while (next == null && it.hasNext()) next = f.apply(it.next());
        return next != null;
      }

      @Override
      public B next() {
        if (!hasNext()) throw new NoSuchElementException();
        B b = next;
        next = null;
        return b;
      }
    };
  }
}
