build-clang/src/util/hashmap.o: src/util/hashmap.c src/util/hashmap.h \
  src/util/die.h

src/util/hashmap.h:

src/util/die.h:
