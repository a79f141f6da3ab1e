package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// byID reads the row of type T with id; a missing one is gorm's
// ErrRecordNotFound wrapped with what it is ("run 7: record not found").
func byID[T any](ctx context.Context, s *Store, what string, id int64) (T, error) {
	var v T
	err := s.DB.WithContext(ctx).First(&v, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, fmt.Errorf("%s %d: %w", what, id, err)
	}
	return v, err
}

// updateByID writes the given columns (and updated_at) of the row of type
// T with id; a missing one is ErrRecordNotFound wrapped as byID wraps it.
func updateByID[T any](ctx context.Context, s *Store, what string, id int64, fields map[string]any) error {
	fields["updated_at"] = time.Now().UTC()
	var v T
	res := s.DB.WithContext(ctx).Model(&v).Where("id = ?", id).Updates(fields)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("%s %d: %w", what, id, gorm.ErrRecordNotFound)
	}
	return res.Error
}
