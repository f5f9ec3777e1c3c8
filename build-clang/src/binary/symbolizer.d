build-clang/src/binary/symbolizer.o: src/binary/symbolizer.c \
  src/binary/symbolizer.h src/binary/dwarf_lines.h \
  src/binary/elf_symbols.h src/binary/kallsyms.h src/util/die.h \
  src/util/hashmap.h src/util/vec.h

src/binary/symbolizer.h:

src/binary/dwarf_lines.h:

src/binary/elf_symbols.h:

src/binary/kallsyms.h:

src/util/die.h:

src/util/hashmap.h:

src/util/vec.h:
