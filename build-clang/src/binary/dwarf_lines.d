build-clang/src/binary/dwarf_lines.o: src/binary/dwarf_lines.c \
  src/binary/dwarf_lines.h src/util/die.h src/util/vec.h

src/binary/dwarf_lines.h:

src/util/die.h:

src/util/vec.h:
